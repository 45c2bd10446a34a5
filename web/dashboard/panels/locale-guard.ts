/**
 * uPlot formats numbers with `navigator.language` as soon as it loads. Some headless Chromium
 * builds report a POSIX locale such as "en-US@posix", which Intl rejects, and the whole page
 * would fail to start. Imported before uPlot: an invalid language is replaced by "en-US".
 */
try {
  new Intl.NumberFormat(navigator.language);
} catch {
  Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
}
export {};
