/**
 * Long documentaries (`node dist/bench/render.js --minutes 30,60`): 4 scenes a minute (120 for 30 minutes,
 * 240 for 60) rendered once each at 1080p30, beside the 5-minute render of the same run: wall time, the
 * realtime factor, peak memory (every ffmpeg at once plus this process, which draws the frames), the
 * temporary disk the render used at its fullest and what it left, and the CPU per minute of video.
 */
import path from 'node:path';
import { fullRender } from './full-render.js';
import { type Measured, verdict } from './measure.js';
import { workload } from './workload.js';

export async function longForm(dir: string, minutes: number[], short: { seconds: number; run: Measured }): Promise<void> {
  const rows: { minutes: number; seconds: number; run: Measured & { leftMiB?: number } }[] = [{ minutes: short.seconds / 60, seconds: short.seconds, run: short.run }];
  for (const m of minutes) {
    const w = await workload(dir, m * 4);
    console.log(`  rendering a ${m}-minute documentary: ${m * 4} scenes, ${w.timeline.total.toFixed(0)} s ...`);
    rows.push({ minutes: m, seconds: w.timeline.total, run: await fullRender(dir, w, path.join(dir, `long-${m}.mp4`)) });
  }
  console.log('  long form         length   wall      realtime  peak memory (ffmpeg)   temp disk at most (per min)   left   CPU per video minute');
  for (const r of rows) {
    const min = r.seconds / 60;
    console.log(
      `  ${`${r.minutes.toFixed(0)} min`.padEnd(16)} ${r.seconds.toFixed(0).padStart(5)} s ${r.run.seconds.toFixed(0).padStart(6)} s  ${(r.seconds / r.run.seconds).toFixed(2).padStart(6)}x  ${r.run.peakMiB.toFixed(0).padStart(6)} MiB (${r.run.ffmpegPeakMiB.toFixed(0)})` +
        `  ${r.run.diskMiB.toFixed(0).padStart(8)} MiB (${(r.run.diskMiB / min).toFixed(1)})  ${(r.run.leftMiB ?? 0).toFixed(1).padStart(6)} MiB  ${(r.run.cpu / min).toFixed(1).padStart(6)} s`,
    );
  }
  const thirty = rows.find((r) => r.minutes === 30);
  if (thirty) console.log(`  target: a 30-minute video in at most half its length: ${(thirty.run.seconds / thirty.seconds).toFixed(2)} of its length -> ${verdict(thirty.run.seconds <= thirty.seconds / 2)}`);
  const peaks = rows.map((r) => r.run.peakMiB);
  console.log(`  target: peak memory under 1.5 GiB: at most ${Math.max(...peaks).toFixed(0)} MiB -> ${verdict(Math.max(...peaks) < 1536)}`);
  console.log(`  target: peak memory flat with length (within 10% from ${rows[0].minutes.toFixed(0)} to ${rows.at(-1)!.minutes} minutes): ${(Math.max(...peaks) / Math.min(...peaks)).toFixed(3)}x -> ${verdict(Math.max(...peaks) <= 1.1 * Math.min(...peaks))}`);
  const perMin = rows.map((r) => r.run.cpu / (r.seconds / 60));
  console.log(`  target: cost per minute of video constant with length (within 10%): ${(Math.max(...perMin) / Math.min(...perMin)).toFixed(3)}x -> ${verdict(Math.max(...perMin) <= 1.1 * Math.min(...perMin))}`);
  const disk = rows.map((r) => r.run.diskMiB / (r.seconds / 60));
  const left = Math.max(...rows.map((r) => r.run.leftMiB ?? 0));
  console.log(`  target: temporary disk bounded (per minute of video within 10%) and cleaned up (nothing left but the output): ${(Math.max(...disk) / Math.min(...disk)).toFixed(3)}x, ${left.toFixed(1)} MiB left -> ${verdict(Math.max(...disk) <= 1.1 * Math.min(...disk) && left < 1)}`);
}
