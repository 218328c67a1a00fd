package dataset

import (
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"gloss/ent/predicate"
	"gloss/ent/task"
	"gloss/internal/fault"
)

// Labeled is the predicate of a labeled task (at least overlap annotations
// that were not skipped), or of an unlabeled one when want is false.
func Labeled(overlap int, want bool) predicate.Task {
	if want {
		return task.TotalAnnotationsGTE(overlap)
	}
	return task.TotalAnnotationsLT(overlap)
}

// SearchData is the predicate of tasks whose data contains text, ignoring
// case. It matches the stored JSON text only: the data manager's search
// cannot reach any other column or table.
func SearchData(text string) (predicate.Task, error) {
	if n := utf8.RuneCountInString(text); n < 1 || n > 200 {
		return nil, fault.Invalid("search must be 1 to 200 characters")
	}
	// SQLite's LIKE ends its pattern at a NUL (so "\x00" matched every
	// task), and PostgreSQL refuses NUL and invalid UTF-8 in text outright.
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return nil, fault.Invalid("search must be UTF-8 text without NUL characters")
	}
	pattern := "%" + likeEscaper.Replace(strings.ToLower(text)) + "%"
	return func(s *sql.Selector) {
		col := s.C(task.FieldData)
		if s.Dialect() == dialect.Postgres {
			col += "::text"
		}
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("LOWER(" + col + ") LIKE ").Arg(pattern).WriteString(` ESCAPE '\'`)
		}))
	}, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
