package database

// Every SQLite connection the process opens runs with the query planner
// stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG) on. Without it SQLite
// plans some statements around the values bound to them: a statement that
// joins tables (the credential lookup of every request, ent's queries with
// their privacy predicates) compares each bound parameter with the other
// side of the join while planning, which marks the prepared statement as
// expired whenever a new value is bound. Every run then parsed and planned
// the statement again, so neither database/sql's prepared statements nor
// the driver's statement cache saved anything: half of SQLite's time on a
// `{ viewer { id } }` was spent in the parser and the planner. With the
// guarantee a statement is planned once per connection, from the schema
// and the statistics alone, and keeps that plan for every value.
//
// The setting is per connection and the driver does not expose its
// handle, so it is registered as an automatic extension, which SQLite runs
// for each connection as it opens.

/*
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_api_routines sqlite3_api_routines;
extern int sqlite3_auto_extension(void (*)(void));
extern int sqlite3_db_config(sqlite3 *, int, ...);
extern int sqlite3_open_v2(const char *, sqlite3 **, int, const char *);
extern int sqlite3_close(sqlite3 *);

enum {
	dbconfigEnableQPSG = 1007,  // SQLITE_DBCONFIG_ENABLE_QPSG
	openReadWrite = 0x00000002, // SQLITE_OPEN_READWRITE
	openMemory = 0x00000080,    // SQLITE_OPEN_MEMORY
};

static int gloss_stable_plans(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
	return sqlite3_db_config(db, dbconfigEnableQPSG, 1, (int *)0);
}

static int gloss_register_stable_plans(void) {
	return sqlite3_auto_extension((void (*)(void))gloss_stable_plans);
}

// gloss_stable_plans_on opens a new in-memory connection and reports
// whether it runs with the guarantee: 1 yes, 0 no, -1 it could not open.
static int gloss_stable_plans_on(void) {
	sqlite3 *db = 0;
	int on = -1;
	if (sqlite3_open_v2(":memory:", &db, openReadWrite | openMemory, 0) == 0) {
		sqlite3_db_config(db, dbconfigEnableQPSG, -1, &on);
	}
	sqlite3_close(db);
	return on;
}
*/
import "C"

import "fmt"

func init() {
	if rc := C.gloss_register_stable_plans(); rc != 0 {
		panic(fmt.Sprintf("sqlite3_auto_extension: error %d", int(rc)))
	}
}

// stablePlans reports whether a connection opened now runs with the query
// planner stability guarantee.
func stablePlans() (bool, error) {
	switch C.gloss_stable_plans_on() {
	case 1:
		return true, nil
	case 0:
		return false, nil
	default:
		return false, fmt.Errorf("open an in-memory SQLite database")
	}
}
