// Placeholder replaced by the foundation work: starts/chooses the test PostgreSQL.
export default function globalSetup(): void {}
