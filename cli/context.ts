import type { Command } from 'commander';
import type { Api } from './client.ts';
import { connect } from './client.ts';
import type { Io, Printer } from './output.ts';
import { printer } from './output.ts';
import type { Credentials } from './sigv4.ts';

/** What every command gets: the API it talks to, and where it prints. */
export type Context = {
  io: Io;
  api(command: Command): Promise<Api>;
  out(command: Command): Printer;
};

type Globals = { url?: string; stage?: string; region?: string; json?: boolean };

export function createContext(io: Io, credentials?: () => Promise<Credentials>): Context {
  return {
    io,
    api: (command) => {
      const { url, stage, region } = command.optsWithGlobals<Globals>();
      return connect({ url, stage, region }, io.env, credentials);
    },
    out: (command) => printer(io, command.optsWithGlobals<Globals>().json === true),
  };
}

/** Wraps an action so that it receives the context; commander passes the command last. */
export function action<A extends unknown[]>(context: Context, run: (context: Context, command: Command, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    await run(context, command, ...(args.slice(0, -1) as A));
  };
}
