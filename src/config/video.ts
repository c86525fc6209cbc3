import os from 'node:os';
import { z } from 'zod';

/** `video`: the picture, the sound and the encoder. */
export const videoSchema = z
  .strictObject({
    /** Frame width in pixels. Default 1920 (use 1080 with height 1920 for Shorts). */
    width: z.number().int().min(64).max(7680).default(1920),
    /** Frame height in pixels. Default 1080. */
    height: z.number().int().min(64).max(7680).default(1080),
    /** Frames per second. Default 30. */
    fps: z.number().int().min(1).max(120).default(30),
    /** `burn`: subtitles drawn into the picture (and an SRT delivered); `none`: SRT only. Default `burn`. */
    subtitles: z.enum(['burn', 'none']).default('burn'),
    /**
     * Background music, ducked under the narration. `builtin`: an ambient pad generated locally;
     * `none`; or `{ folder: 'music' }`: one of the operator's tracks, chosen per story. Default `builtin`.
     */
    music: z.union([z.enum(['builtin', 'none']), z.strictObject({ folder: z.string().min(1) })]).default('builtin'),
    /** Crossfade between scenes, in seconds. Default 0.5. */
    transitionSeconds: z.number().min(0).max(5).default(0.5),
    /**
     * Encoder settings. `youtube`: YouTube's recommended upload settings (closed GOPs of half a second,
     * at most 2 B-frames, BT.709 tags, YouTube's recommended average bitrate for the frame size: 8 Mbps
     * at 1080p30). `draft`: a quick look at a fraction of the size (CRF 23, x264's own keyframes). Default `youtube`.
     */
    profile: z.enum(['youtube', 'draft']).default('youtube'),
    /** x264 preset. Default `veryfast`. */
    preset: z.enum(['superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow']).default('veryfast'),
    /**
     * ffmpeg processes that render parts of the video at once (joined afterwards without re-encoding):
     * one keeps about one and a half cores busy. Default: the number of CPU cores, at most 4.
     */
    processes: z.number().int().min(1).max(16).default(() => Math.min(4, os.availableParallelism())),
    /**
     * Videos at least this long (minutes) are rendered by every worker that takes render_video: each part
     * is a `render_part` job, joined when all are stored. Only in `run-worker`, with a PostgreSQL database
     * and storage kind `supabase` (every machine must read the parts); `run` renders all parts itself.
     * `null`: never. Default 10. The parts are the ones `processes` plans (so plan with the same settings
     * on every worker).
     */
    distributeAboveMinutes: z.number().min(0).nullable().default(10),
  })
  .prefault({});
