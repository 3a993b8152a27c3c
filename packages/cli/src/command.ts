import type { Command } from "commander";
import { createContext, type Context, type GlobalOptions } from "./context";
import { EXIT, usageError } from "./errors";
import type { Io } from "./output";

/** Runs a command's action with its context; the action's number (or 0) becomes the exit code. */
export type Action<A extends unknown[], O> = (ctx: Context, options: O, ...args: A) => Promise<number | void>;

export interface ActionHost {
  io: Io;
  setExitCode(code: number): void;
}

export function action<A extends unknown[], O>(host: ActionHost, fn: Action<A, O>) {
  return async (...params: unknown[]) => {
    const command = params[params.length - 1] as Command;
    const options = command.optsWithGlobals<O & GlobalOptions>();
    const args = params.slice(0, -2) as A;
    const code = await fn(createContext(host.io, options), options, ...args);
    host.setExitCode(code ?? EXIT.ok);
  };
}

/** A number option between `min` and `max`. */
export function parsePercent(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) throw usageError(`--percent must be a number from 0 to 100, not '${value}'.`);
  if (Math.abs(n * 1000 - Math.round(n * 1000)) > 1e-6) throw usageError("--percent takes at most three decimals.");
  return n;
}

/** Collects a repeatable option into a list. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
