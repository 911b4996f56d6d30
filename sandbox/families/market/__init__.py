"""Market data (시세): stocks, futures, options, indices and multi-quote tables over REST."""
