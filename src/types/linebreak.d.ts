declare module 'linebreak' {
  /** foliojs/linebreak: the break opportunities of UAX #14, one at a time. */
  export default class LineBreaker {
    constructor(text: string);
    nextBreak(): { position: number; required: boolean } | null;
  }
}
