import { Command, CommanderError, Option } from 'commander';
import type { GlobalOptions } from './commands/common.js';
import { forTerminal } from './control-chars.js';
import { ExitError, RuntimeError, UsageError } from './errors.js';
import { JOB_TYPES } from './stages/index.js';
import { PROVIDER_CHOICES } from './config/providers.js';
import { packageVersion } from './paths.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const globals = (cmd: Command) => cmd.optsWithGlobals() as GlobalOptions;

/** One commander table declares every command; each command's module is loaded only when it runs. */
export function buildProgram(): Command {
  const program = new Command('lost-archives')
    .description('Turn a topic into a narrated documentary video and publish it, through a Postgres jobs table.')
    .version(packageVersion, '-V, --version')
    .option('-c, --config <path>', 'config file (default: lost-archives.config.ts or .lost-archivesrc* in the current folder)')
    .option('--verbose', 'debug logging and stack traces')
    .option('--log-json', 'log lines as JSON (for workers under a log collector)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ lost-archives run "The Library of Alexandria"          make one video here, with live progress
  $ lost-archives create "The Voynich Manuscript" --json   enqueue for the workers
  $ lost-archives run-worker --type render_video -n 2      a render worker, two jobs at a time
  $ lost-archives run-worker --once                        cron: work through what is queued, then exit
  $ lost-archives status                                   recent stories
  $ lost-archives retry 3f2a9c1e --from render_video       redo a story from its render
  $ lost-archives review 3f2a9c1e                          what its upload will send; then approve or reject
  $ lost-archives status --calendar                        the coming publishing slots
  $ lost-archives serve --port 8080                        the HTTP API (LOST_ARCHIVES_API_KEYS for keys)
  $ lost-archives auth youtube --no-browser                authorise the channel once, from a VM

Environment: DATABASE_URL (PostgreSQL; absent: embedded database in ./.lost-archives),
LOST_ARCHIVES_API_KEYS (serve: comma-separated API keys), YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET
(the youtube publisher's OAuth client).
Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.`,
    );

  program
    .command('create')
    .description('enqueue a new story and print its id')
    .argument('[topic]', 'subject of the documentary (1-500 characters); optional with a --script that has a "# Topic" line')
    .option('-l, --language <code>', 'language of script and narration, e.g. en-US, es-ES (default: config language)')
    .option('--script <file.md>', 'use your own Markdown script ("## Scene" sections, optional "Image:" lines) instead of writing one')
    .option('--budget <usd>', 'stop the story (failed) before a paid provider call would take its spending over this many US dollars')
    .option('--privacy <privacy>', 'youtube publisher: private, unlisted or public for this story (default: youtube.privacy)')
    .option('--publish-at <time>', 'youtube publisher: publish at this time, e.g. 2026-12-01T17:00:00Z (uploads private until then)')
    .option(
      '--from <file>',
      'one story a row from a .csv (header line), .jsonl or .yaml file; columns: topic, language, script (path from the file), budget, privacy, publish_at, approval, id. Every row is checked first; nothing is written unless all are good; rows imported before (same file, same id or same values) are skipped',
    )
    .option('--approval', 'hold the upload after the render until `approve ID` (default: publish.approval in the config)')
    .option('--no-approval', 'upload right after the render, whatever publish.approval says')
    .option('--json', 'print {"story_id", "status"}; with --from, {"file", "created": [...], "skipped": [...]}')
    .action(async (topic: string | undefined, opts, cmd: Command) => (await import('./commands/create.js')).create(globals(cmd), topic, opts));

  program
    .command('run')
    .description('drive one story through every stage in this process, with live progress')
    .argument('[topic]', 'subject of a new story')
    .option('-s, --story <id>', 'resume an existing story instead of creating one')
    .option('--script <file.md>', 'a new story from your own Markdown script (see create --help)')
    .option('-l, --language <code>', 'language of a new story (default: config language)')
    .option('--budget <usd>', 'spending limit of a new story in US dollars (see create --help)')
    .option('--privacy <privacy>', 'youtube publisher: private, unlisted or public for a new story')
    .option('--publish-at <time>', 'youtube publisher: publish a new story at this time (ISO 8601 with zone)')
    .option('--approval', 'a new story stops after the render until `approve ID` (default: publish.approval)')
    .option('--no-approval', 'a new story uploads right after the render')
    .option('--json', 'print the finished story as JSON instead of progress')
    .action(async (topic: string | undefined, opts, cmd: Command) => (await import('./commands/run.js')).run(globals(cmd), topic, opts));

  program
    .command('run-worker')
    .description('poll the jobs table and run stages until stopped (SIGTERM/SIGINT: finish or hand back, exit 0)')
    .addOption(new Option('-t, --type <type>', `job type to work on, repeatable (default: all): ${JOB_TYPES.join(', ')}; render_video also takes the render_part jobs of long renders`).argParser(collect).default([], 'all'))
    .option('-n, --concurrency <n>', 'jobs at a time', '1')
    .option('--once', 'work through what is claimable now, then exit (for cron)')
    .option('--name <name>', 'worker name shown in status (default: host-pid)')
    .option('--json', 'print a summary of the jobs handled when the worker stops')
    .action(async (opts, cmd: Command) => (await import('./commands/run-worker.js')).runWorkerCommand(globals(cmd), opts));

  program
    .command('status')
    .description('table of recent stories, or one story’s stages, jobs, scenes and assets')
    .argument('[id]', 'story id or unique prefix')
    .option('--limit <n>', 'stories per page', '20')
    .option('--offset <n>', 'stories to skip', '0')
    .option('--json', 'print JSON (the story as stored with scenes, jobs, assets, costs and cost_usd; or {stories, total, limit, offset, total_cost_usd})')
    .option('-w, --watch', 'refresh every 2 seconds')
    .option('--calendar', 'the publishing calendar instead: the coming slots of youtube.schedule and the story holding each')
    .action(async (id: string | undefined, opts, cmd: Command) => (await import('./commands/status.js')).status(globals(cmd), id, opts));

  program
    .command('retry')
    .description('resume a failed story at its failed stage, or redo it from a stage')
    .argument('<id>', 'story id or unique prefix')
    .option('--from <stage>', `redo from this stage, clearing what it and the stages that need it made: ${JOB_TYPES.join(', ')}`)
    .option('--budget <usd>', "set the story's spending limit in US dollars anew (e.g. after `budget reached`)")
    .option('--json', 'print {"story_id", "status", "stage"}')
    .action(async (id: string, opts, cmd: Command) => (await import('./commands/retry.js')).retry(globals(cmd), id, opts));

  program
    .command('review')
    .description('what the upload of a story will send (title, description, tags, chapters, privacy, schedule, disclosure), its files, render check, cost, history, contact sheet, sources and claims, and near-copies of earlier stories')
    .argument('<id>', 'story id or unique prefix')
    .option('--sheet', 'make the contact sheet (a frame of every scene, its time and caption, and the thumbnail) again from the stored video, and print its path')
    .option('--json', 'print the review as JSON')
    .action(async (id: string, opts, cmd: Command) => (await import('./commands/review.js')).review(globals(cmd), id, opts));

  program
    .command('approve')
    .description('let the held upload of a story awaiting approval go (it takes its calendar slot now)')
    .argument('<id>', 'story id or unique prefix')
    .option('--note <text>', "kept in the story's history")
    .option('--json', 'print {"story_id", "job_id", "slot"}')
    .action(async (id: string, opts, cmd: Command) => (await import('./commands/approve.js')).approve(globals(cmd), id, opts));

  program
    .command('reject')
    .description('send a story awaiting approval back to a stage (like retry --from), the note kept in its history')
    .argument('<id>', 'story id or unique prefix')
    .requiredOption('--from <stage>', `redo from this stage (before upload_youtube): ${JOB_TYPES.slice(0, -1).join(', ')}`)
    .option('--note <text>', "why, kept in the story's history")
    .option('--json', 'print {"story_id", "stage"}')
    .action(async (id: string, opts, cmd: Command) => (await import('./commands/approve.js')).reject(globals(cmd), id, opts));

  program
    .command('serve')
    .description('the HTTP API: POST /stories, GET /stories[/ID], POST /stories/ID/retry, GET /stories/ID/review, POST /stories/ID/approve|reject, GET /healthz, /openapi.json')
    .option('-p, --port <port>', 'port to listen on, 0 for any free one (default: serve.port in the config, 8080)')
    .option('--host <address>', 'address to listen on; anything but loopback needs LOST_ARCHIVES_API_KEYS (default: serve.host, 127.0.0.1)')
    .option('--json', 'print {"url"} once listening instead of a line')
    .addHelpText(
      'after',
      `
Every route but /healthz needs "Authorization: Bearer <key>", with a key from LOST_ARCHIVES_API_KEYS
(comma-separated). Without keys the API is open, and listens on loopback only. POST /stories is rate
limited per key (serve.rateLimit). SIGTERM/SIGINT: stop accepting, finish requests in flight, exit 0.
Workers run in other processes: with them, use DATABASE_URL (the embedded database is one process only).`,
    )
    .action(async (opts, cmd: Command) => (await import('./commands/serve.js')).serve(globals(cmd), opts));

  program
    .command('doctor')
    .description('check ffmpeg, espeak-ng, fonts, database and storage for the configured pipeline')
    .option('--json', 'print the checks as JSON')
    .action(async (opts, cmd: Command) => (await import('./commands/doctor.js')).doctor(globals(cmd), opts));

  program
    .command('init')
    .description('ask how this channel is made and write lost-archives.config.ts (or the --config path)')
    .addOption(new Option('--text <provider>', 'script and metadata writer').choices(PROVIDER_CHOICES.text))
    .addOption(new Option('--image <provider>', 'stills (archive needs archives.userAgent: add it to the file)').choices(PROVIDER_CHOICES.image.filter((p) => p !== 'archive')))
    .addOption(new Option('--speech <provider>', 'narration').choices(PROVIDER_CHOICES.speech))
    .addOption(new Option('--publish <provider>', 'where finished videos go').choices(PROVIDER_CHOICES.publish))
    .addOption(new Option('--privacy <privacy>', 'youtube publisher: privacy of uploads').choices(['private', 'unlisted', 'public']))
    .option('-l, --language <code>', 'language of new stories, e.g. en-US, es-ES')
    .addOption(new Option('--shape <shape>', 'landscape 1920x1080, or shorts 1080x1920').choices(['landscape', 'shorts']))
    .option('--music <choice>', 'builtin, none, or a folder of your own tracks')
    .addOption(new Option('--database <kind>', 'embedded, or postgres (DATABASE_URL from the environment)').choices(['embedded', 'postgres']))
    .addOption(new Option('--storage <kind>', 'local, or supabase (with --bucket)').choices(['local', 'supabase']))
    .option('--bucket <name>', 'the Supabase Storage bucket (implies --storage supabase)')
    .option('-y, --yes', 'ask nothing: every choice no flag makes takes the offline default (for scripts)')
    .option('--force', 'replace an existing config file (the old one is kept as <file>.bak)')
    .option('--json', 'print {"file", "backup", "providers", "language", "video", "todo"}')
    .addHelpText(
      'after',
      `
In a terminal, init asks about every choice no flag makes. It never asks for secrets: it lists the
environment variables the chosen providers need (and \`lost-archives auth youtube\` for YouTube).
Examples:
  $ lost-archives init                                          answer the questions
  $ lost-archives init --yes                                    the offline set, no questions
  $ lost-archives init --yes --text gemini --image gemini --speech google --publish youtube`,
    )
    .action(async (opts, cmd: Command) => (await import('./commands/init.js')).init(globals(cmd), opts));

  const auth = program.command('auth').description('authorise lost-archives with an account once');
  auth
    .command('youtube')
    .description('OAuth for the YouTube channel to publish to: prints a URL, waits for the browser, stores the refresh token (0600)')
    .option('--no-browser', 'no browser on this machine: open the URL elsewhere and paste back the address it ends on')
    .option('--json', 'print {"token_file", "scope"}')
    .addHelpText(
      'after',
      `
Needs YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET (a "Desktop app" OAuth client; see the README).
The token goes to youtube.tokenFile (default ~/.config/lost-archives/youtube.json). Run it again when
publishing fails with invalid_grant (a revoked token, or a consent screen still in "Testing").`,
    )
    .action(async (opts, cmd: Command) => (await import('./commands/auth.js')).authYoutube(globals(cmd), opts));

  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply the SQL migrations in supabase/migrations (safe to re-run, and from several processes)')
    .option('--json', 'print what was applied as JSON')
    .action(async (opts, cmd: Command) => (await import('./commands/db-migrate.js')).dbMigrate(globals(cmd), opts));

  for (const cmd of [program, ...program.commands, ...db.commands, ...auth.commands]) cmd.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 runtime failure, 2 usage or configuration error. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    return report(err, argv.includes('--verbose') || !!process.env.DEBUG);
  }
}

function report(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // help asked for (or the version): 0; help shown because a command was missing, or any parse error: 2
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof ExitError) return err.exitCode;
  const message = err instanceof Error ? err.message : String(err);
  // messages may quote stored or given text (a topic, a story's error): escaped for the terminal
  process.stderr.write(`error: ${forTerminal(message, { multiline: true })}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(forTerminal(err.stack, { multiline: true }) + '\n');
  if (err instanceof UsageError) return 2;
  if (err instanceof RuntimeError) return 1;
  if (!verbose) process.stderr.write('(run with --verbose for details)\n');
  return 1;
}
