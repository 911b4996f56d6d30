// The world clock as the console knows it: the last answer of /_sandbox/clock (or a clock,
// reset or hello event) plus the real time elapsed since, times the clock's speed.

import { api } from "./api.js";
import { on } from "./live.js";

let clock = null; // {now, mode, speed, timezone}
let receivedAt = 0;
const subscribers = new Set();

export function setClock(value) {
  clock = value;
  receivedAt = performance.now();
  for (const fn of subscribers) fn(clock);
}

export function currentClock() {
  return clock;
}

/** True when the world clock moves by itself (realtime or speed mode). */
export function running() {
  return Boolean(clock && clock.mode !== "frozen" && clock.speed > 0);
}

/** The world's "now" in epoch milliseconds (null before the first answer). */
export function worldNow() {
  if (!clock) return null;
  const base = Date.parse(clock.now);
  return running() ? base + (performance.now() - receivedAt) * clock.speed : base;
}

/** fn(clock) after every change; returns the unsubscribe function. */
export function onClock(fn) {
  subscribers.add(fn);
  return () => subscribers.delete(fn);
}

export async function refreshClock() {
  setClock(await api("clock"));
  return clock;
}

on("clock", (value) => setClock(value));
on("reset", (value) => setClock(value.clock));
on("hello", (value) => setClock(value.clock));
