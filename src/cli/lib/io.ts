// Where a command reads and writes. Commands take a CliIo (default: the process's own streams) so tests can run
// them in-process and capture exactly what a user would see.
import { Writable, type Readable } from 'node:stream';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream | Readable;
  /** Environment (for defaults such as time zone handling); tests may override. */
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Writes text and waits when the stream is full, so printing millions of records never buffers them all. */
export async function write(stream: NodeJS.WritableStream, text: string | Buffer): Promise<void> {
  if (!stream.write(text)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('close', done);
        stream.off('error', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('close', done);
      stream.once('error', done);
    });
  }
}

/** A Writable that keeps everything written, for tests and for building output before printing it. */
export class CaptureStream extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    cb();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
