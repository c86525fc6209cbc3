import fs from 'node:fs';

/** Fonts for stills, title cards and burned subtitles (Debian: fonts-dejavu-core). */
const DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/TTF', '/Library/Fonts', '/System/Library/Fonts/Supplemental'];

function find(file: string): string {
  for (const d of DIRS) if (fs.existsSync(`${d}/${file}`)) return `${d}/${file}`;
  return `${DIRS[0]}/${file}`;
}

export const FONT_SERIF = process.env.LOST_ARCHIVES_FONT || find('DejaVuSerif.ttf');
export const FONT_SERIF_BOLD = process.env.LOST_ARCHIVES_FONT_BOLD || find('DejaVuSerif-Bold.ttf');
/** The family name libass asks fontconfig for when burning subtitles. */
export const SUBTITLE_FONT_FAMILY = 'DejaVu Sans';

export function fontsInstalled(): boolean {
  return fs.existsSync(FONT_SERIF) && fs.existsSync(FONT_SERIF_BOLD);
}
