import { describe, expect, it } from 'vitest';
import type { StoredCredit } from '../../src/providers/types.js';
import { creditLine, creditsSection, endCardCredit } from '../../src/stages/description/credits.js';

const credit = (scene: number, extra: Partial<StoredCredit> = {}): StoredCredit => ({
  scene,
  source: scene % 2 ? 'commons' : 'loc',
  page_url: `https://commons.wikimedia.org/wiki/File:Picture_${scene}.jpg`,
  file_url: `https://upload.wikimedia.org/Picture_${scene}.jpg`,
  title: `Picture ${scene}`,
  author: 'Jane Roe',
  licence: 'CC BY-SA 4.0',
  licence_url: 'https://creativecommons.org/licenses/by-sa/4.0',
  modification: 'slow zoom and pan',
  retrieved_at: new Date('2026-12-06T09:00:00Z'),
  ...extra,
});

describe('picture credits', () => {
  it('credit each picture with title, author, licence and its link, source and page', () => {
    expect(creditLine(credit(1))).toBe(
      '• Scene 1: "Picture 1" by Jane Roe. CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0). Wikimedia Commons: https://commons.wikimedia.org/wiki/File:Picture_1.jpg',
    );
    expect(creditLine(credit(2, { author: null, licence: 'Public domain', licence_url: null }))).toBe('• Scene 2: "Picture 2". Public domain. Library of Congress: https://commons.wikimedia.org/wiki/File:Picture_2.jpg');
    expect(creditsSection([], 5000)).toBe('');
  });

  it('stay within the byte budget, counting what did not fit', () => {
    const all = Array.from({ length: 20 }, (_, i) => credit(i + 1, { title: `Ἀλεξάνδρεια ${'β'.repeat(40)} ${i + 1}` }));
    const whole = creditsSection(all, 100_000);
    expect(whole.split('\n').filter((l) => l.startsWith('•'))).toHaveLength(20);
    for (const budget of [80, 400, 1200, 2500]) {
      const s = creditsSection(all, budget);
      expect(Buffer.byteLength(s)).toBeLessThanOrEqual(budget);
      const shown = s.split('\n').filter((l) => l.startsWith('•')).length;
      if (s && shown < 20) expect(s.endsWith(`… and ${20 - shown} more archival pictures (listed with the video's files)`)).toBe(true);
    }
    expect(creditsSection(all, 30)).toBe('');
    expect(creditsSection(all, 80)).toBe('');
    expect(creditsSection(all, 600)).toMatch(/^\n\nPicture credits.*\n• Scene 1: .*\n… and 19 more archival pictures/s);
  });

  it('put one short line on the end card', () => {
    expect(endCardCredit([credit(1), credit(3), credit(2)])).toBe('Archival pictures: Wikimedia Commons (2), Library of Congress (1). Full credits in the description.');
    expect(endCardCredit([])).toBeNull();
  });
});
