// wink-nlp has no exports map, so Node's ESM resolver needs the file's extension; its types name the module without it.
declare module 'wink-nlp/utilities/bm25-vectorizer.js' {
  export { default } from 'wink-nlp/utilities/bm25-vectorizer';
}
