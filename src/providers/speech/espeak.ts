import fs from 'node:fs';
import { spawnChild } from '../../child-processes.js';
import { PermanentError, RuntimeError } from '../../errors.js';
import { LANGUAGES } from '../../languages.js';
import { encodeWav, parseWav, silence, wavSeconds } from '../../media/wav.js';
import type { SentenceTiming } from '../../types.js';
import type { Narration, SpeechProvider } from '../types.js';

export const ESPEAK_INSTALL_HINT = 'Install it (Debian/Ubuntu: `sudo apt-get install espeak-ng`; macOS: `brew install espeak-ng`).';

/** Speaks one sentence to WAV bytes; the text goes in on stdin, never through a shell. */
function speakSentence(text: string, voice: string, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawnChild('espeak-ng', ['-v', voice, '-s', '150', '--stdout'], signal);
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new PermanentError(`espeak-ng is not installed. ${ESPEAK_INSTALL_HINT}`));
      else reject(signal.aborted ? signal.reason : e);
    });
    child.on('close', (code) => {
      if (signal.aborted) reject(signal.reason);
      else if (code === 0) resolve(Buffer.concat(out));
      else if (/voice does not exist|no such voice/i.test(err)) reject(new PermanentError(`espeak-ng has no voice "${voice}": install espeak-ng-data, or tell the story in another language`));
      else reject(new RuntimeError(`espeak-ng exited with ${code}: ${err.trim()}`));
    });
    child.stdin.on('error', () => {}); // a child stopped before reading: its 'close' reports why
    child.stdin.end(text);
  });
}

/** espeak-ng, sentence by sentence: each sentence's clip length gives its exact subtitle timing. */
export function espeakVoice(opts: { pauseSeconds?: number } = {}): SpeechProvider {
  const pause = opts.pauseSeconds ?? 0.35;
  return {
    name: 'espeak',
    async speak({ sentences, language, out }, signal): Promise<Narration> {
      const voice = LANGUAGES[language]?.espeakVoice;
      if (!voice) throw new PermanentError(`no espeak-ng voice for language ${language}`);
      if (!sentences.length) throw new PermanentError('the scene has no narration to speak');
      const parts = [];
      const timings: SentenceTiming[] = [];
      let t = 0;
      for (const [i, text] of sentences.entries()) {
        const pcm = parseWav(await speakSentence(text, voice, signal));
        if (i > 0) {
          parts.push(silence(pcm, pause));
          t += pause;
        }
        const d = wavSeconds(pcm);
        timings.push({ text, start: round(t), end: round(t + d) });
        parts.push(pcm);
        t += d;
      }
      await fs.promises.writeFile(out, encodeWav(parts));
      return { duration: round(t), timings };
    },
  };
}

const round = (s: number) => Math.round(s * 1000) / 1000;
