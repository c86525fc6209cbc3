/**
 * The picture's encoder settings, one list for every part of a render (the parts are joined without
 * encoding again, so they must agree).
 *
 * `youtube` follows YouTube's recommended upload settings: H.264 High, closed GOPs of half the frame rate
 * (no scene-cut keyframes), at most 2 consecutive B-frames, BT.709 colour, and an average bitrate near
 * the recommendation for SDR uploads (8 Mbps at 1080p30, scaled by pixels per second). x264 has no
 * minimum bitrate in CRF mode (a still picture at CRF 21 comes out near 1 Mbps), so the rate is x264's
 * one-pass average bitrate, capped by a VBV of 1.5x the target. `draft` is for quick looks: CRF 23 and
 * x264's own keyframe placement, a fraction of the size.
 */

export type VideoProfile = 'youtube' | 'draft';

/** YouTube's recommended bitrate for SDR 1080p at 30 fps, bits per second. */
const YOUTUBE_1080P30 = 8_000_000;

/** The average video bitrate the `youtube` profile aims at for a w x h picture at fps, bits per second. */
export function youtubeBitrate(w: number, h: number, fps: number): number {
  return Math.round((YOUTUBE_1080P30 * (w * h * fps)) / (1920 * 1080 * 30) / 1000) * 1000;
}

/** libx264 output options for a profile (also the colour tags the graph's BT.709 conversion matches). */
export function videoEncoding(profile: VideoProfile, preset: string, w: number, h: number, fps: number): string[] {
  const common = [
    '-c:v', 'libx264', '-profile:v', 'high', '-preset', preset, '-pix_fmt', 'yuv420p', '-r', String(fps),
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
  ];
  if (profile === 'draft') return [...common, '-crf', '23'];
  const gop = String(Math.max(1, Math.round(fps / 2)));
  const rate = youtubeBitrate(w, h, fps);
  return [
    ...common,
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-bf', '2', '-flags', '+cgop',
    '-b:v', String(rate), '-maxrate', String(Math.round(rate * 1.5)), '-bufsize', String(rate * 2),
  ];
}
