/** How much each signal counts (config: RANK_*). */
export interface RankWeights {
  /** Share of the profile's similarity in a paper's score; the rest is the community rank. 0 turns ranking off. */
  profile: number;
  /** Rocchio's alpha, beta and gamma: the reader's topics, the papers they liked, the papers they hid. */
  topics: number;
  liked: number;
  disliked: number;
  /** A choice counts half after this many days. */
  halfLifeDays: number;
}

export const DEFAULT_RANK_WEIGHTS: RankWeights = Object.freeze({ profile: 0.8, topics: 0.5, liked: 1, disliked: 1, halfLifeDays: 60 });
