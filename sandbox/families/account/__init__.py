"""Account service (계좌 서비스): portfolio, balance, transactions and watch-lists (OAuth)."""
