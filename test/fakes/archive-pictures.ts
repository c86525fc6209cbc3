import fs from 'node:fs';
import path from 'node:path';
import { runFfmpeg } from '../../src/media/ffmpeg.js';

/**
 * Small test pictures the archive fakes serve, drawn by ffmpeg: a line engraving of a temple front
 * (black hatching on off-white, landscape 1400x1000), a sepia portrait photograph (700x1000: a head and
 * shoulders against a vignetted ground) and a tiny picture (160x120) too small for any frame.
 */

const draw = async (expr: { r: string; g: string; b: string }, w: number, h: number, out: string, after = '') => {
  await runFfmpeg({
    inputs: [{ path: `color=c=white:s=${w}x${h}:d=1`, format: 'lavfi' }],
    filter: `[0:v]format=rgb24,geq=r='${expr.r}':g='${expr.g}':b='${expr.b}'${after},format=yuvj420p[out]`,
    outputOptions: ['-map', '[out]', '-frames:v', '1', '-q:v', '3', '-update', '1'],
    output: out,
  });
  return fs.promises.readFile(out);
};

export async function archivePictures(dir: string): Promise<{ engraving: Buffer; portrait: Buffer; tiny: Buffer; thumb: Buffer }> {
  // ink where any stroke is: pediment hatching, columns, architrave, steps, ground hatching, a border
  const ink = [
    'between(Y,170,300)*lt(abs(X-700),(Y-170)*4.4)*lt(mod(X+Y,9),2)',
    'between(Y,160,176)*lt(abs(X-700),600)',
    'between(Y,300,330)*between(X,150,1250)',
    'between(Y,330,800)*between(X,190,1210)*lt(mod(X-190,128),22)',
    'between(Y,330,800)*between(X,190,1210)*between(mod(X-190,128),22,40)*lt(mod(Y,6),1)',
    'between(Y,800,880)*between(X,110,1290)*lt(mod(Y,20),3)',
    'gt(Y,880)*lt(mod(X-2*Y,11),2)',
    'lt(min(min(X,1399-X),min(Y,999-Y)),26)*gt(min(min(X,1399-X),min(Y,999-Y)),18)',
  ].join('+');
  const paper = (base: number) => `${base}-205*clip(${ink},0,1)`;
  const engraving = await draw({ r: paper(236), g: paper(228), b: paper(210) }, 1400, 1000, path.join(dir, 'engraving.jpg'));
  // a sepia photograph: ground darkening to the edges, a lighter face over a neck, a dark coat; toned after the grain
  const head = 'lt(pow((X-350)/135,2)+pow((Y-370)/175,2),1)';
  const neck = 'between(Y,500,640)*lt(abs(X-350),55)';
  const coat = 'lt(pow((X-350)/340,2)+pow((Y-1040)/440,2),1)';
  const tone = `if(${head}+${neck},205-45*hypot((X-330)/140,(Y-340)/180),if(${coat},50+20*sin(X/40),150-70*hypot((X-350)/350,(Y-480)/520)))`;
  const sepia = ',colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131';
  const portrait = await draw({ r: tone, g: tone, b: tone }, 700, 1000, path.join(dir, 'portrait.jpg'), `,noise=alls=10:allf=t${sepia}`);
  const tiny = await draw({ r: '120+X/2', g: '110+Y/2', b: '90' }, 160, 120, path.join(dir, 'tiny.jpg'));
  const thumb = await draw({ r: '200', g: '190', b: '170' }, 210, 150, path.join(dir, 'thumb.jpg'));
  return { engraving, portrait, tiny, thumb };
}
