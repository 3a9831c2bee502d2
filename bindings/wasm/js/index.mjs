// ESM entry: the same module as `require('idn-toto')` (one copy of the
// classes, so `instanceof IdnTotoError` holds across both).
import cjs from './index.cjs';

export const {
  Client, IdnTotoError, KeyInUseError, KeyConflictError, FileJournal, SqliteJournal, PostgresJournal,
  build, parse, nextPage, endpoints, version, matchDeposits, creditsFromCsv, creditsFromMoota,
} = cjs;
export default cjs;
