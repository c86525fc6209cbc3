/**
 * The picture fitted to the frame, decoded and converted once: a picture of about the frame's shape
 * (within 12%) fills it, cropped at most that much; any other (a portrait, a panorama) is shown whole,
 * centred over a blurred, darkened fill of itself. Converted to BT.709 4:2:0 as the encoding is tagged.
 */
export function plate(input: number, w: number, h: number, fps: number): string {
  const fit = (cover: string) => `scale=w='2*trunc(iw*${cover}/2)':h='2*trunc(ih*${cover}/2)'`;
  const fill = `max(${w}/iw,${h}/ih)`;
  const whole = `if(lt(abs(log(a*${h}/${w})),0.12),${fill},min(${w}/iw,${h}/ih))`;
  const sw = Math.max(2, Math.round(w / 8));
  const sh = Math.max(2, Math.round(h / 8));
  return (
    `[${input}:v]split=2[p${input}a][p${input}b];` +
    `[p${input}a]scale=${sw}:${sh}:force_original_aspect_ratio=increase,crop=${sw}:${sh},gblur=sigma=3,scale=${w}:${h},` +
    `colorchannelmixer=rr=0.45:gg=0.45:bb=0.45[p${input}f];[p${input}b]${fit(whole)}[p${input}w];` +
    `[p${input}f][p${input}w]overlay=x=(W-w)/2:y=(H-h)/2:format=rgb,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,setsar=1,settb=1/${fps}`
  );
}
