/** Sent in `context.sdk`; a test keeps it equal to package.json's version. */
export const SDK = { name: 'tally-browser', version: '0.1.0' };
