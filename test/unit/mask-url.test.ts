import { describe, expect, it } from 'vitest';
import { maskUrl } from '../../src/db/types.js';

/** Passwords an operator's password generator could make, with every character URL parsers stumble on. */
export const NASTY_PASSWORDS = ['pa/ssSECRET', 'SE?CRET', 'SEC#RET', 'S@CRET@', 'SE%CRET', 'SE:CR:ET', 'SÉCRETÖ', '12#SECRET', '12?SECRET', 'SE/C?R#E@T%:ü'];

describe('maskUrl', () => {
  for (const password of NASTY_PASSWORDS) {
    it(`hides a raw password ${JSON.stringify(password)} and keeps user and host`, () => {
      const masked = maskUrl(`postgres://la:${password}@127.0.0.1:5432/db`);
      expect(masked).toBe('postgres://la:****@127.0.0.1:5432/db');
    });
    it(`hides a percent-encoded password ${JSON.stringify(password)}`, () => {
      const masked = maskUrl(`postgresql://la:${encodeURIComponent(password)}@db.example.com/app?sslmode=require`);
      expect(masked).toBe('postgresql://la:****@db.example.com/app?sslmode=require');
    });
  }

  it('masks secret query parameters and key=value connection strings', () => {
    expect(maskUrl('postgres://u@h/db?sslmode=require&password=SECRET&sslpassword=SECRET2')).toBe('postgres://u@h/db?sslmode=require&password=****&sslpassword=****');
    expect(maskUrl("host=h password='SE CRET' user=u")).toBe('host=h password=**** user=u');
    expect(maskUrl('host=h password=SECRET user=u')).toBe('host=h password=**** user=u');
  });

  it('leaves URLs without a password alone', () => {
    expect(maskUrl('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(maskUrl('postgres://127.0.0.1/test')).toBe('postgres://127.0.0.1/test');
  });

  it('masks the whole user part when a slash shows it runs into a password', () => {
    expect(maskUrl('postgres://la/SECRET@h/db')).not.toContain('SECRET');
  });
});
