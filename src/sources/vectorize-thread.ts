// Computes paper vectors in a worker thread (src/sources/vectors.ts): wink-nlp's English model (about 50 MB)
// lives only as long as the thread, not in the long-running worker that sends mail.
import { parentPort, workerData } from 'node:worker_threads';
import { vectorize, type VectorText } from '../domain/paper-vectors.js';

parentPort!.postMessage([...vectorize((workerData as { papers: VectorText[] }).papers)]);
