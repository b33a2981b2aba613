// Closed lists the measured attributes count: English function words, greetings and sign-offs.
// Changing a list changes what stored profiles mean: append only, never reorder (counts are stored by position).

/** Function words: topic-independent, so their rates describe habits rather than subjects. */
export const functionWords = [
  'a', 'about', 'above', 'actually', 'after', 'again', 'all', 'also', 'although', 'always', 'am', 'an', 'and', 'any',
  'anyway', 'are', 'as', 'at', 'be', 'because', 'been', 'before', 'being', 'below', 'between', 'both', 'but', 'by',
  'can', 'could', 'did', 'do', 'does', 'doing', 'down', 'during', 'each', 'either', 'else', 'enough', 'even', 'ever',
  'every', 'few', 'for', 'from', 'further', 'had', 'has', 'have', 'having', 'he', 'her', 'here', 'hers', 'him', 'his',
  'how', 'however', 'i', 'if', 'in', 'indeed', 'into', 'is', 'it', 'its', 'just', 'least', 'less', 'like', 'maybe',
  'me', 'might', 'mine', 'more', 'most', 'much', 'must', 'my', 'neither', 'never', 'no', 'nor', 'not', 'now', 'of',
  'off', 'often', 'on', 'once', 'one', 'only', 'or', 'other', 'our', 'ours', 'out', 'over', 'own', 'perhaps', 'pretty',
  'probably', 'quite', 'rather', 'really', 'same', 'shall', 'she', 'should', 'since', 'so', 'some', 'still', 'such',
  'than', 'that', 'the', 'their', 'theirs', 'them', 'then', 'there', 'these', 'they', 'this', 'those', 'though',
  'through', 'thus', 'to', 'too', 'under', 'until', 'up', 'upon', 'us', 'very', 'was', 'we', 'well', 'were', 'what',
  'whatever', 'when', 'where', 'whether', 'which', 'while', 'who', 'whom', 'whose', 'why', 'will', 'with', 'within',
  'without', 'would', 'yet', 'you', 'your', 'yours',
] as const

/** Greetings counted when a message starts with one (longest match wins). */
export const greetings = [
  'hi', 'hello', 'hey', 'heya', 'hiya', 'yo', 'howdy', 'greetings', 'good morning', 'good afternoon', 'good evening',
  'morning', 'evening', 'hi all', 'hi everyone', 'hi folks', 'hi team', 'hi there', 'hey all', 'hey everyone',
  'hey folks', 'hey team', 'hey there', 'hello all', 'hello everyone', 'hello there', 'dear', 'sup', 'hi guys',
  'hey guys', 'hello guys', 'hi y\'all', 'hey y\'all',
] as const

/** Sign-offs counted when a message ends with one (trailing punctuation, emoji and spaces ignored). */
export const signOffs = [
  'thanks', 'thank you', 'thanks a lot', 'thanks all', 'thanks everyone', 'thanks in advance', 'many thanks', 'thx',
  'ty', 'tia', 'cheers', 'best', 'regards', 'best regards', 'kind regards', 'cya', 'see you', 'later', 'bye', 'lmk',
  'let me know', 'hth', 'hope that helps', 'hope this helps', 'good luck', 'enjoy', 'no worries', 'np',
  'have a good one', 'take care',
] as const
