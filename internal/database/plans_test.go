package database

import "testing"

// Every connection opens with the query planner stability guarantee, so a
// prepared statement that joins tables is not planned again on every run.
func TestConnectionsPlanOnce(t *testing.T) {
	on, err := stablePlans()
	if err != nil {
		t.Fatal(err)
	}
	if !on {
		t.Fatal("a new SQLite connection runs without the query planner stability guarantee")
	}
}
