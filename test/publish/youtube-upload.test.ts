import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getStory, insertStory, setMetadata } from '../../src/db/stories.js';
import type { Db } from '../../src/db/types.js';
import { executeJob } from '../../src/queue/execute.js';
import * as q from '../../src/queue/jobs.js';
import { writeToken } from '../../src/providers/publish/youtube/client.js';
import { youtubePublisher } from '../../src/providers/publish/youtube/index.js';
import { QuotaLedger, nextQuotaReset, pacificDay } from '../../src/providers/publish/youtube/quota.js';
import { saveStoryVideoSettings } from '../../src/providers/publish/youtube/settings.js';
import { uploadStage } from '../../src/stages/upload.js';
import { detailView } from '../../src/commands/status.js';
import { storyDetail } from '../../src/stories.js';
import { keys } from '../../src/storage/types.js';
import type { Job, Story } from '../../src/types.js';
import { type FakeYoutube, startFakeYoutube } from '../fakes/youtube.js';
import { startFakeSupabaseStorage } from '../fakes/supabase-storage.js';
import { supabaseFromConfig } from '../../src/storage/index.js';
import { freshDb } from '../helpers/db.js';
import { silentLogger } from '../../src/log.js';
import { tempDir, testConfig, testServices } from '../helpers/services.js';

/** The youtube publisher through the real queue and the real Google clients, against a fake on 127.0.0.1. */

const ENV = { YOUTUBE_CLIENT_ID: 'fake-client-id', YOUTUBE_CLIENT_SECRET: 'fake-client-secret' };
const VIDEO_BYTES = 5 * 1024 * 1024 + 12_345;
const SRT = '1\n00:00:00,000 --> 00:00:02,500\nThe library burned more than once.\n';
const METADATA = { title: 'The Library of Alexandria', description: 'Chapters:\n0:00 Intro', tags: ['history', 'alexandria'], chapters: [], preview: false };

describe('youtube publisher', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let fake: FakeYoutube;
  let dir: string;
  let video: Buffer;

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('pglite'));
    video = crypto.randomBytes(VIDEO_BYTES);
  });
  afterAll(async () => cleanup());
  beforeEach(async () => {
    fake = await startFakeYoutube();
    dir = tempDir('la-youtube-');
    await db.query('truncate stories, jobs, youtube_uploads, youtube_quota restart identity cascade');
  });
  afterEach(async () => fake.close());

  function setup(youtube: Record<string, unknown> = {}, refreshToken = '1//stored-refresh') {
    fake.refreshTokens.add('1//stored-refresh');
    const tokenFile = path.join(dir, 'config', 'youtube.json');
    writeToken(tokenFile, { refresh_token: refreshToken, client_id: ENV.YOUTUBE_CLIENT_ID, obtained_at: new Date().toISOString() });
    const config = testConfig(
      {
        providers: { publish: 'youtube' },
        youtube: { rootUrl: fake.rootUrl, oauth: { tokenUrl: fake.tokenUrl, authUrl: fake.authUrl }, tokenFile, chunkBytes: 1024 * 1024, playlistId: 'PLlost', ...youtube },
      },
      dir,
    );
    const services = testServices(db, config);
    services.providers = { ...services.providers, publish: youtubePublisher(config, { env: ENV, backoffMs: 5 }) };
    return services;
  }

  async function storyWithVideo(services: ReturnType<typeof setup>): Promise<Story> {
    const story = await insertStory(db, 'The Library of Alexandria', 'en-GB');
    await setMetadata(db, story.id, METADATA);
    await services.storage.put(keys.story(story.id, 'video.mp4'), video, 'video/mp4');
    await services.storage.put(keys.story(story.id, 'thumbnail.jpg'), Buffer.from('\xff\xd8fake-jpeg\xff\xd9', 'latin1'), 'image/jpeg');
    await services.storage.put(keys.story(story.id, 'captions.srt'), Buffer.from(SRT), 'application/x-subrip');
    await q.enqueue(db, story.id, 'upload_youtube', 3);
    return story;
  }

  /** Claims the story's upload job and runs it as a worker would. */
  async function work(services: ReturnType<typeof setup>, story: Story) {
    await db.query("update jobs set run_at = now() where story_id = $1 and status = 'queued'", [story.id]);
    const job = (await q.claim(db, 'w1', ['upload_youtube'], 60, story.id))!;
    expect(job).not.toBeNull();
    return executeJob(services, job, { worker: 'w1', pipeline: [uploadStage] });
  }
  const jobOf = async (id: string) => (await db.query<Job>('select * from jobs where story_id = $1', [id]))[0];
  const ledger = () => new QuotaLedger(db, { uploadsPerDay: 100, unitsPerDay: 10_000 });

  it('labels the narration and the captions track with the story’s language, whatever language the title is set to', async () => {
    const services = setup({ defaultLanguage: 'fr-FR' });
    const story = await storyWithVideo(services);
    expect(await work(services, story)).toEqual({ outcome: 'completed' });
    const [v] = fake.videos;
    expect(v.resource.snippet).toMatchObject({ defaultLanguage: 'fr-FR', defaultAudioLanguage: 'en-GB' });
    expect(v.captions[0]?.snippet).toMatchObject({ language: 'en-GB', name: 'English (UK)' });
  });

  it('uploads the video resumably, then thumbnail, captions and playlist; the story ends published', async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    expect(await work(services, story)).toEqual({ outcome: 'completed' });

    const done = (await getStory(db, story.id))!;
    expect(done.status).toBe('published');
    expect(done.youtube_video_id).toBe(fake.videos[0].id);
    expect(done.youtube_url).toBe(`https://www.youtube.com/watch?v=${fake.videos[0].id}`);
    expect(fake.videos).toHaveLength(1);
    const [v] = fake.videos;
    expect(v.bytes.equals(video)).toBe(true);
    expect(fake.bytesReceived).toBe(VIDEO_BYTES);
    expect(v.resource.snippet).toMatchObject({ title: METADATA.title, tags: METADATA.tags, categoryId: '27', defaultLanguage: 'en-GB' });
    expect(v.resource.status).toMatchObject({ privacyStatus: 'private', selfDeclaredMadeForKids: false, containsSyntheticMedia: true });
    expect(v.thumbnail?.toString('latin1')).toBe('\xff\xd8fake-jpeg\xff\xd9');
    // YouTube requires the track's name: the language's, as the player's captions menu shows it
    expect(v.captions).toEqual([{ snippet: { videoId: v.id, language: 'en-GB', name: 'English (UK)', isDraft: false }, body: SRT }]);
    expect(v.playlistItems).toEqual(['PLlost']);
    const put = (range: string) => `PUT /upload/youtube/v3/videos?uploadType=resumable bytes ${range}/${VIDEO_BYTES}`;
    const chunks = [0, 1, 2, 3, 4, 5].map((i) => put(`${i * 1048576}-${Math.min((i + 1) * 1048576, VIDEO_BYTES) - 1}`));
    expect(fake.requests.filter((r) => r.startsWith('PUT'))).toEqual(chunks);
    expect(fake.requests.filter((r) => r.startsWith('POST'))).toEqual([
      'POST /token',
      'POST /upload/youtube/v3/videos?uploadType=resumable',
      'POST /upload/youtube/v3/thumbnails/set?uploadType=media',
      'POST /upload/youtube/v3/captions?uploadType=multipart',
      'POST /youtube/v3/playlistItems',
    ]);
    expect(await ledger().used()).toEqual({ uploads: 1, units: 50 + 400 + 50 });
  });

  it('resumes after a connection cut at 40% without resending the bytes YouTube acknowledged', async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    fake.cutAt = 0.4;
    expect(await work(services, story)).toEqual({ outcome: 'completed' });
    expect(fake.videos).toHaveLength(1);
    expect(fake.videos[0].bytes.equals(video)).toBe(true);
    expect(fake.bytesResent).toBe(0);
    expect(fake.requests.filter((r) => r.endsWith(`bytes */${VIDEO_BYTES}`)).length).toBeGreaterThanOrEqual(1);
    // what was sent twice is only what the cut lost (less than one chunk), never an acknowledged byte
    expect(fake.bytesReceived - VIDEO_BYTES).toBeLessThan(1024 * 1024);
    expect((await getStory(db, story.id))!.status).toBe('published');
  });

  it('retries a 503 in-process and finishes with one video', async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    fake.failPuts = [503];
    expect(await work(services, story)).toEqual({ outcome: 'completed' });
    expect(fake.videos).toHaveLength(1);
    expect(fake.videos[0].bytes.equals(video)).toBe(true);
    expect(fake.bytesResent).toBe(0);
    expect((await jobOf(story.id)).attempts).toBe(1);
  });

  it('on quotaExceeded re-queues the job for after the Pacific midnight reset, spending no attempt', async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    fake.insertError = { status: 403, reason: 'quotaExceeded', message: 'The request cannot be completed because you have exceeded your quota.' };
    const before = Date.now();
    const result = await work(services, story);
    expect(result.outcome).toBe('retry');
    const job = await jobOf(story.id);
    expect(job.status).toBe('queued');
    expect(job.attempts).toBe(0);
    const reset = nextQuotaReset(new Date(before)).getTime();
    expect(job.run_at!.getTime()).toBeGreaterThanOrEqual(reset);
    expect(job.run_at!.getTime()).toBeLessThan(reset + 5 * 60_000);
    expect(job.last_error).toBe(`YouTube videos.insert: YouTube answered quotaExceeded; waiting for the daily reset at ${new Date(reset).toISOString()} (midnight Pacific)`);
    expect((await getStory(db, story.id))!.status).toBe('uploading');
    expect(fake.videos).toHaveLength(0);

    // the day's bucket is closed: the next try today waits again without asking YouTube
    fake.insertError = undefined;
    const posts = fake.requests.length;
    expect((await work(services, story)).outcome).toBe('retry');
    expect(fake.requests.slice(posts).filter((r) => r.includes('/videos'))).toEqual([]);
    expect((await jobOf(story.id)).attempts).toBe(0);
  });

  it("on uploadLimitExceeded (the channel's rolling 24 hours) waits a day from the refusal, spending no attempt and leaving today's quota open", async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    fake.insertError = { status: 400, reason: 'uploadLimitExceeded', message: 'The user has exceeded the number of videos they may upload.' };
    const before = Date.now();
    expect((await work(services, story)).outcome).toBe('retry');
    const after = Date.now();
    const job = await jobOf(story.id);
    expect([job.status, job.attempts]).toEqual(['queued', 0]);
    // 24 hours from the refusal, not the Pacific midnight of the daily quota
    expect(job.run_at!.getTime()).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);
    expect(job.run_at!.getTime()).toBeLessThanOrEqual(after + 86_400_000 + 1000);
    const at = /trying again at (\S+)$/.exec(job.last_error ?? '')?.[1];
    expect(job.last_error).toBe(`YouTube's upload limit for this channel: trying again at ${at}`);
    expect(Math.abs(new Date(at!).getTime() - job.run_at!.getTime())).toBeLessThan(2000);
    // the refused call was counted once; the day's buckets stay open for other stories' captions and thumbnails
    expect(await ledger().used()).toEqual({ uploads: 1, units: 0 });
    expect((await getStory(db, story.id))!.status).toBe('uploading');
    // what `status ID` shows the operator
    expect(detailView(await storyDetail(db, story.id))).toContain(`\nwaiting  upload_youtube, next try in 24h 0m: YouTube's upload limit for this channel: trying again at ${at}\n`);

    // a day later the channel may upload again: the same job finishes with one video
    fake.insertError = undefined;
    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.videos).toHaveLength(1);
    expect((await jobOf(story.id)).attempts).toBe(1);
  });

  it("on a 429 waits as long as the body's RetryInfo says, spending no attempt, then finishes where it stopped", async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    fake.failPaths['/upload/youtube/v3/captions'] = [429];
    const before = Date.now();
    expect((await work(services, story)).outcome).toBe('retry');
    const job = await jobOf(story.id);
    expect([job.status, job.attempts, job.last_error]).toEqual(['queued', 0, 'YouTube captions.insert: rate limited (rateLimitExceeded); trying again in 30s']);
    expect(job.run_at!.getTime() - before).toBeGreaterThanOrEqual(29_000);
    expect(job.run_at!.getTime() - before).toBeLessThan(40_000);
    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.videos).toHaveLength(1);
    expect(fake.videos[0].captions.map((c) => c.body)).toEqual([SRT]);
  });

  it('on a 403 userRateLimitExceeded (no RetryInfo) waits five minutes, spending no attempt', async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    fake.failPaths['/youtube/v3/playlistItems'] = ['userRateLimitExceeded'];
    const before = Date.now();
    expect((await work(services, story)).outcome).toBe('retry');
    const job = await jobOf(story.id);
    expect([job.status, job.attempts, job.last_error]).toEqual(['queued', 0, 'YouTube playlistItems.insert: rate limited (userRateLimitExceeded); trying again in 300s']);
    expect(job.run_at!.getTime() - before).toBeGreaterThanOrEqual(299_000);
    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.videos[0].playlistItems).toEqual(['PLlost']);
  });

  it('counts the quota itself: with no videos.insert calls left today it waits without calling YouTube', async () => {
    const services = setup({ quota: { uploadsPerDay: 0 } });
    const story = await storyWithVideo(services);
    expect((await work(services, story)).outcome).toBe('retry');
    expect(fake.requests).toEqual([]);
    expect((await jobOf(story.id)).last_error).toMatch(/^YouTube videos\.insert: today's videos\.insert calls quota \(0\) is spent; waiting for the daily reset at .*Z \(midnight Pacific\)$/);
  });

  it("does not start an upload today when today's units cannot pay for its thumbnail, captions and playlist", async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    await db.query("insert into youtube_quota (day, bucket, used) values ($1, 'units', 9600)", [pacificDay(new Date())]);
    expect((await work(services, story)).outcome).toBe('retry');
    expect(fake.requests).toEqual([]);
    expect((await jobOf(story.id)).last_error).toMatch(/^YouTube videos\.insert: today's API units \(400 of 10000 left\) cannot pay for the 500 the rest of this upload needs; waiting for the daily reset at /);
    expect(await ledger().used()).toEqual({ uploads: 0, units: 9600 });
  });

  it('fails the story at once on invalid_grant, telling the operator to run auth youtube again', async () => {
    const services = setup({}, '1//revoked');
    const story = await storyWithVideo(services);
    expect((await work(services, story)).outcome).toBe('failed');
    const failed = (await getStory(db, story.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toBe(
      'upload_youtube: YouTube refused the stored authorisation (invalid_grant: the refresh token was revoked or expired; a consent screen left in "Testing" expires them after 7 days): run `lost-archives auth youtube` again',
    );
    expect((await jobOf(story.id)).attempts).toBe(1);
    expect(fake.videos).toHaveLength(0);
  });

  it('a retry after the video id was stored uploads nothing again and finishes the remaining steps', async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    // the thumbnail call fails after the video is in: the job goes back to the queue
    fake.failPaths['/upload/youtube/v3/thumbnails/set'] = [500];
    expect((await work(services, story)).outcome).toBe('retry');
    const halfway = (await getStory(db, story.id))!;
    expect(halfway.youtube_video_id).toBe(fake.videos[0].id);

    const sessions = fake.sessions.size;
    const received = fake.bytesReceived;
    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.videos).toHaveLength(1);
    expect(fake.sessions.size).toBe(sessions);
    expect(fake.bytesReceived).toBe(received);
    expect(fake.videos[0].thumbnail).toBeDefined();
    const done = (await getStory(db, story.id))!;
    expect(done.status).toBe('published');
    expect(done.youtube_video_id).toBe(fake.videos[0].id);
  });

  it('a playlist insert whose answer was lost is not sent again: the retry finds the entry, and the video is in the playlist once', async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    // YouTube adds the video to the playlist, then the connection dies before the answer arrives
    fake.loseAnswers['/youtube/v3/playlistItems'] = 1;
    expect((await work(services, story)).outcome).toBe('retry');
    expect(fake.videos[0].playlistItems).toEqual(['PLlost']);

    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.videos).toHaveLength(1);
    expect(fake.videos[0].playlistItems).toEqual(['PLlost']);
    expect(fake.requests.filter((r) => r.includes('/youtube/v3/playlistItems'))).toEqual(['POST /youtube/v3/playlistItems', 'GET /youtube/v3/playlistItems']);
    expect((await getStory(db, story.id))!.status).toBe('published');
    // the look-up costs one unit; the lost insert was paid once
    expect(await ledger().used()).toEqual({ uploads: 1, units: 50 + 400 + 50 + 1 });
  });

  it('a retry on another machine after the video is on YouTube does not download the video from storage', async () => {
    const storage = await startFakeSupabaseStorage({ key: 'service-key', buckets: { archive: { public: false } } });
    try {
      // two workers sharing the bucket, each with its own data folder (its own local copies)
      const machine = () => {
        const services = setup({}, '1//stored-refresh');
        const config = { ...services.config, dataDir: tempDir('la-youtube-machine-'), storage: { kind: 'supabase' as const, bucket: 'archive', public: false, signedUrlSeconds: 600, resumableAboveMB: 6 } };
        return { ...services, config, storage: supabaseFromConfig(config, { url: storage.url, serviceRoleKey: 'service-key' }) };
      };
      const first = machine();
      const story = await storyWithVideo(first);
      fake.failPaths['/upload/youtube/v3/thumbnails/set'] = [500];
      expect((await work(first, story)).outcome).toBe('retry');
      // downloads of the video's bytes (not the look-ups of its info)
      const videoGets = () => storage.requests.filter((r) => r.method === 'GET' && /^\/storage\/v1\/object\/archive\/.*\/video\.mp4$/.test(r.path)).length;
      expect(videoGets()).toBe(1);

      expect((await work(machine(), story)).outcome).toBe('completed');
      expect(videoGets()).toBe(1);
      expect(fake.videos).toHaveLength(1);
      expect(fake.videos[0].thumbnail?.toString('latin1')).toBe('\xff\xd8fake-jpeg\xff\xd9');
      expect((await getStory(db, story.id))!.status).toBe('published');
    } finally {
      await storage.close();
    }
  });

  it('a retry after the upload kept failing resumes the same session from the acknowledged byte', async () => {
    const services = setup();
    const story = await storyWithVideo(services);
    // cut at 40%, then every try fails until the job gives up for this attempt
    fake.cutAt = 0.4;
    fake.failPutsAfterCut = Array(6).fill(503);
    const first = await work(services, story);
    expect(first.outcome).toBe('retry');
    expect(fake.videos).toHaveLength(0);
    expect(fake.sessions.size).toBe(1);

    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.sessions.size).toBe(1);
    expect(fake.videos).toHaveLength(1);
    expect(fake.videos[0].bytes.equals(video)).toBe(true);
    expect(fake.bytesResent).toBe(0);
  });

  it.each([
    ['YouTube forgot it (404)', (f: FakeYoutube) => f.sessions.clear()],
    ['it is a week old (410)', (f: FakeYoutube) => f.advance(7 * 86_400_000 + 1)],
  ])('a retry whose upload session is gone because %s opens a new one and still makes one video', async (_, gone) => {
    const services = setup();
    const story = await storyWithVideo(services);
    fake.cutAt = 0.4;
    fake.failPutsAfterCut = Array(6).fill(503);
    expect((await work(services, story)).outcome).toBe('retry');
    gone(fake);
    const held = fake.requests.length;
    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.requests.slice(held).filter((r) => r.startsWith('POST /upload/youtube/v3/videos'))).toHaveLength(1);
    expect(fake.videos).toHaveLength(1);
    expect(fake.videos[0].bytes.equals(video)).toBe(true);
    expect((await ledger().used()).uploads).toBe(2);
  });

  it.each([
    ['a title over 100 characters', { title: 'A'.repeat(101) }, 'invalidTitle'],
    ['a title with < or >', { title: 'The <Library> of Alexandria' }, 'invalidTitle'],
    ['a description over 5000 bytes', { description: 'é'.repeat(2501) }, 'invalidDescription'],
  ])('metadata YouTube refuses (%s) fails the story at once with YouTube\'s reason, and no video', async (_, change, reason) => {
    const services = setup();
    const story = await storyWithVideo(services);
    await setMetadata(db, story.id, { ...METADATA, ...change });
    expect((await work(services, story)).outcome).toBe('failed');
    const failed = (await getStory(db, story.id))!;
    expect(failed.error_message).toMatch(new RegExp(`^upload_youtube: YouTube videos\\.insert was refused \\(HTTP 400, ${reason}\\): The request metadata specifies an invalid`));
    expect((await jobOf(story.id)).attempts).toBe(1);
    expect(fake.videos).toHaveLength(0);
  });

  it('a captions track whose answer was lost is not added twice: the retry gets 409 captionExists and goes on', async () => {
    const services = setup();
    const warnings: string[] = [];
    services.logger = { ...silentLogger, child: () => ({ ...silentLogger, warn: (m: string) => warnings.push(m) }) };
    const story = await storyWithVideo(services);
    fake.loseAnswers['/upload/youtube/v3/captions'] = 1;
    expect((await work(services, story)).outcome).toBe('retry');
    expect(fake.videos[0].captions).toHaveLength(1);
    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.videos[0].captions).toHaveLength(1);
    expect(warnings).toEqual([
      'stage failed; will retry',
      'YouTube captions.insert was refused (HTTP 409, captionExists): The specified video already has a caption track with the given snippet.language and snippet.name values. A video can have multiple tracks for the same language, but each track must have a different name.; the captions track is already on the video',
    ]);
    expect((await getStory(db, story.id))!.status).toBe('published');
  });

  it('a thumbnail over 2 MB that YouTube refuses (413) leaves the video published with a warning', async () => {
    const services = setup();
    const warnings: string[] = [];
    services.logger = { ...silentLogger, child: () => ({ ...silentLogger, warn: (m: string) => warnings.push(m) }) };
    const story = await storyWithVideo(services);
    await services.storage.put(keys.story(story.id, 'thumbnail.jpg'), Buffer.alloc(2 * 1024 * 1024 + 1, 0xff), 'image/jpeg');
    expect(await work(services, story)).toEqual({ outcome: 'completed' });
    expect(fake.videos[0].thumbnail).toBeUndefined();
    expect(warnings).toEqual(["YouTube thumbnails.set was refused (HTTP 413, uploadTooLarge): Media larger than: 2097152; the video keeps YouTube's own thumbnail (YouTube takes thumbnails up to 2 MB)"]);
    expect((await getStory(db, story.id))!.status).toBe('published');
  });

  it('a refresh token past its life (a consent screen in Testing: 7 days) fails the story at once, saying to authorise again', async () => {
    const services = setup();
    fake.refreshTokenLifetimeMs = 7 * 86_400_000;
    const story = await storyWithVideo(services);
    fake.advance(7 * 86_400_000);
    expect((await work(services, story)).outcome).toBe('failed');
    expect((await getStory(db, story.id))!.error_message).toMatch(/^upload_youtube: YouTube refused the stored authorisation \(invalid_grant: .*\): run `lost-archives auth youtube` again$/);
    expect(fake.requests).toEqual(['POST /token']);
  });

  it("a story's own privacy and publish time win over the config's, and survive retry --from", async () => {
    const services = setup({ privacy: 'unlisted' });
    const story = await storyWithVideo(services);
    const publishAt = new Date(Date.now() + 3 * 86_400_000);
    await saveStoryVideoSettings(db, story.id, { privacy: 'private', publishAt });
    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.videos[0].resource.status).toMatchObject({ privacyStatus: 'private', publishAt: publishAt.toISOString() });

    await uploadStage.reset(story, { db, storage: services.storage });
    expect((await getStory(db, story.id))!.youtube_video_id).toBeNull();
    await q.enqueue(db, story.id, 'upload_youtube', 3);
    expect((await work(services, story)).outcome).toBe('completed');
    expect(fake.videos).toHaveLength(2);
    expect(fake.videos[1].resource.status).toMatchObject({ privacyStatus: 'private', publishAt: publishAt.toISOString() });
  });

  it('a channel that may not set custom thumbnails still gets its video published, with a warning', async () => {
    const services = setup();
    const warnings: string[] = [];
    services.logger = { ...silentLogger, child: () => ({ ...silentLogger, warn: (m: string) => warnings.push(m) }) };
    const story = await storyWithVideo(services);
    fake.failPaths['/upload/youtube/v3/thumbnails/set'] = [403];
    expect(await work(services, story)).toEqual({ outcome: 'completed' });
    expect((await getStory(db, story.id))!.status).toBe('published');
    expect(fake.videos[0].thumbnail).toBeUndefined();
    expect(fake.videos[0].captions).toHaveLength(1);
    expect(warnings).toEqual([
      "YouTube thumbnails.set was refused (HTTP 403, forbidden): The authenticated user does not have permissions to upload and set custom video thumbnails.; the video keeps YouTube's own thumbnail (custom thumbnails need a verified channel: https://www.youtube.com/verify)",
    ]);
  });

  it('streams a large video chunk by chunk: memory stays flat', async () => {
    const services = setup({ chunkBytes: 4 * 1024 * 1024 });
    const story = await insertStory(db, 'A long documentary', 'en-US');
    await setMetadata(db, story.id, METADATA);
    const big = path.join(dir, 'big.mp4');
    const size = 256 * 1024 * 1024 + 7;
    const fd = fs.openSync(big, 'w');
    fs.writeSync(fd, Buffer.from('tail'), 0, 4, size - 4); // sparse: no disk time, no memory
    fs.closeSync(fd);
    await services.storage.put(keys.story(story.id, 'video.mp4'), { file: big }, 'video/mp4');
    await services.storage.put(keys.story(story.id, 'thumbnail.jpg'), Buffer.from('jpeg'), 'image/jpeg');
    await services.storage.put(keys.story(story.id, 'captions.srt'), Buffer.from(SRT), 'application/x-subrip');
    await q.enqueue(db, story.id, 'upload_youtube', 3);
    fake.discardBytes = true;
    const base = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.arrayBuffers - base.arrayBuffers, m.heapUsed - base.heapUsed);
    }, 5);
    try {
      expect(await work(services, story)).toEqual({ outcome: 'completed' });
    } finally {
      clearInterval(sampler);
    }
    const expected = crypto.createHash('sha256');
    for await (const d of fs.createReadStream(big)) expected.update(d as Buffer);
    expect(fake.videos[0].sha256).toBe(expected.digest('hex'));
    // a few chunks in flight (and garbage not yet collected), never the 256 MiB file
    expect(peak).toBeLessThan(100 * 1024 * 1024);
    fs.rmSync(big);
    await services.storage.removePrefix(keys.story(story.id, ''));
  });

  it('knows the Pacific midnight around daylight-saving changes', () => {
    const at = (iso: string) => nextQuotaReset(new Date(iso)).toISOString();
    expect(at('2026-03-07T20:00:00Z')).toBe('2026-03-08T08:00:00.000Z'); // the night clocks spring forward: still PST at midnight
    expect(at('2026-03-08T20:00:00Z')).toBe('2026-03-09T07:00:00.000Z'); // PDT
    expect(at('2026-10-31T19:00:00Z')).toBe('2026-11-01T07:00:00.000Z'); // the night clocks fall back: PDT at midnight
    expect(at('2026-11-01T20:00:00Z')).toBe('2026-11-02T08:00:00.000Z'); // PST
    expect(at('2026-11-02T07:59:59Z')).toBe('2026-11-02T08:00:00.000Z');
  });
});
