/** The app's SQLite store (docs/architecture.md#the-store). The host is its only user. */
export { Store, StoreError, MAX_EVENTS, type SavedPartitionTable, type StoreOptions } from './Store.js';
export { dataDir, storePath, STORE_FILE } from './dataDir.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
export { electronBuildFolder, sqliteBinding, sqlitePackageDir, type SqliteBinding } from './nativeBinding.js';
