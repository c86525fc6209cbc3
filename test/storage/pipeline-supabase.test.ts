import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/services.js';
import { type FakeStorage, startFakeSupabaseStorage } from '../fakes/supabase-storage.js';

/** The offline pipeline through the real CLI with `storage: supabase`, against the loopback Storage API. */

const KEY = 'service-role-key-that-must-never-be-printed';

describe('offline pipeline with Supabase Storage', () => {
  const cwd = tempDir('la-supa-');
  let fake: FakeStorage;
  let env: Record<string, string>;
  beforeAll(async () => {
    fake = await startFakeSupabaseStorage({ key: KEY, buckets: { archive: { public: false } } });
    env = { SUPABASE_URL: fake.url, SUPABASE_SERVICE_ROLE_KEY: KEY };
    fs.writeFileSync(
      path.join(cwd, '.lost-archivesrc.json'),
      JSON.stringify({
        storage: { kind: 'supabase', bucket: 'archive', resumableAboveMB: 0.1, signedUrlSeconds: 600 },
        video: { width: 320, height: 180, fps: 12, preset: 'superfast', music: 'none' },
        queue: { leaseSeconds: 5, pollSeconds: 0.2, backoffBaseSeconds: 0.5 },
      }),
    );
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('refuses to enqueue without the credentials, naming the missing variable', async () => {
    const r = await runCli(['create', 'The Voynich Manuscript'], { cwd, env: { SUPABASE_URL: fake.url } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SUPABASE_SERVICE_ROLE_KEY not set/);
    expect(fake.requests).toHaveLength(0);
  });

  it('doctor checks the bucket with one call and masks the key', async () => {
    const r = await runCli(['doctor', '--json'], { cwd, env });
    const out = JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    const storage = out.checks.find((c) => c.name === 'storage')!;
    expect(storage).toMatchObject({ ok: true, detail: 'bucket archive (private)' });
    expect(out.checks.find((c) => c.name === 'storage credentials')!.detail).toMatch(/SUPABASE_SERVICE_ROLE_KEY serv…nted \(43 characters\)/);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /storage/v1/bucket/archive']);
    const missing = await runCli(['doctor'], { cwd, env: { ...env, SUPABASE_SERVICE_ROLE_KEY: 'a-wrong-key-for-this-project' } });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/FAIL storage .*Invalid Compact JWS\. SUPABASE_SERVICE_ROLE_KEY must be the service_role key/);
    expect(missing.stdout).not.toContain('a-wrong-key-for-this-project');
  });

  it('stores every stage output in the bucket and keeps keys and URLs in the rows', { timeout: 300_000 }, async () => {
    const r = await runCli(['run', 'The Library of Alexandria'], { cwd, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    const id = /story ([0-9a-f-]{36})/.exec(r.stdout)![1];
    const story = JSON.parse((await runCli(['status', id, '--json'], { cwd, env })).stdout) as {
      status: string;
      scenes: { position: number; image_url: string; audio_url: string }[];
      assets: { kind: string; storage_key: string; url: string; content_type: string; bytes: number }[];
    };
    expect(story.status).toBe('published');
    const types = (prefix: string) => [...fake.objects].filter(([k]) => k.startsWith(prefix)).map(([k, o]) => [k.slice(prefix.length), o.contentType]).sort((a, b) => a[0].localeCompare(b[0]));
    const pad = (n: number) => String(n).padStart(2, '0');
    for (const s of story.scenes) {
      expect(types(`archive/stories/${id}/scenes/${pad(s.position)}/`)).toEqual([
        ['image.png', 'image/png'],
        ['narration.wav', 'audio/wav'],
      ]);
      expect(s.image_url).toMatch(new RegExp(`^${fake.url}/storage/v1/object/sign/archive/stories/${id}/scenes/${pad(s.position)}/image.png\\?token=`));
    }
    const assets = Object.fromEntries(story.assets.map((a) => [a.kind, a]));
    for (const [kind, file, type] of [
      ['video', 'video.mp4', 'video/mp4'],
      ['thumbnail', 'thumbnail.jpg', 'image/jpeg'],
      ['captions_srt', 'captions.srt', 'application/x-subrip'],
      ['captions_ass', 'captions.ass', 'text/x-ssa'],
    ]) {
      const key = `stories/${id}/${file}`;
      expect(assets[kind]).toMatchObject({ storage_key: key, content_type: type });
      expect(fake.objects.get(`archive/${key}`)!.contentType).toBe(type);
      expect(assets[kind].bytes).toBe(fake.objects.get(`archive/${key}`)!.bytes.length);
      // the row's signed URL serves the object
      const res = await fetch(assets[kind].url);
      expect(res.status).toBe(200);
    }
    // big files went up through TUS, and the published video is the stored one
    expect(fake.tusChunks.length).toBeGreaterThan(0);
    const published = fs.readFileSync(path.join(cwd, 'published', id, 'video.mp4'));
    expect(published.equals(fake.objects.get(`archive/stories/${id}/video.mp4`)!.bytes)).toBe(true);
    expect(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path.join(cwd, 'published', id, 'video.mp4')], { encoding: 'utf8' })).toMatch(/h264/);
    // nothing lands in local storage; the copies downloaded for the render and the upload are freed
    expect(fs.existsSync(path.join(cwd, '.lost-archives', 'storage'))).toBe(false);
    expect(fs.existsSync(path.join(cwd, '.lost-archives', 'storage-cache', 'archive', 'stories', id))).toBe(false);
  });
});
