package dataset

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"gloss/ent/annotation"
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
	// SQLite's LIKE ends its pattern at a NUL (so "\x00" matched every
	// task), and PostgreSQL refuses NUL and invalid UTF-8 in text outright.
	if err := checkText("search", text); err != nil {
		return nil, err
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

// MaxDataFilters bounds the data-key filters of one data manager filter.
const MaxDataFilters = 10

// checkText refuses filter text that is empty, longer than 200 characters,
// not UTF-8 or holds NUL (which SQLite's LIKE and PostgreSQL mishandle).
func checkText(what, text string) error {
	if n := utf8.RuneCountInString(text); n < 1 || n > 200 {
		return fault.Invalid("%s must be 1 to 200 characters", what)
	}
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return fault.Invalid("%s must be UTF-8 text without NUL characters", what)
	}
	return nil
}

// DataMatches is the predicate of tasks whose data key holds a value that
// contains text (ignoring case), when contains is set, and that is empty
// (missing, null or "") or not, when empty is set. The key goes to the
// database as a bound argument, never as SQL.
func DataMatches(key string, contains *string, empty *bool) (predicate.Task, error) {
	if err := checkText("a data filter's key", key); err != nil {
		return nil, err
	}
	if strings.ContainsAny(key, `"\`) {
		return nil, fault.Invalid("data filter key %q: quotes and backslashes are not allowed", key)
	}
	if contains == nil && empty == nil {
		return nil, fault.Invalid("data filter %q: give contains or empty", key)
	}
	var pattern string
	if contains != nil {
		if err := checkText(fmt.Sprintf("data filter %q: contains", key), *contains); err != nil {
			return nil, err
		}
		pattern = "%" + likeEscaper.Replace(strings.ToLower(*contains)) + "%"
	}
	return func(s *sql.Selector) {
		// value writes the key's value as text: a JSON string's own text,
		// anything else as JSON.
		value := func(b *sql.Builder) {
			if s.Dialect() == dialect.Postgres {
				b.WriteString(s.C(task.FieldData) + " ->> ").Arg(key)
			} else {
				b.WriteString("CAST(json_extract(" + s.C(task.FieldData) + ", ").Arg(`$."` + key + `"`).WriteString(") AS TEXT)")
			}
		}
		if contains != nil {
			s.Where(sql.P(func(b *sql.Builder) {
				b.WriteString("LOWER(")
				value(b)
				b.WriteString(") LIKE ").Arg(pattern).WriteString(` ESCAPE '\'`)
			}))
		}
		if empty != nil {
			s.Where(sql.P(func(b *sql.Builder) {
				if !*empty {
					b.WriteString("NOT ")
				}
				b.WriteString("(COALESCE(")
				value(b)
				b.WriteString(", '') = '')")
			}))
		}
	}, nil
}

// HasLabel is the predicate of annotations whose result holds label as a
// choice, a label of any kind (labels, rectanglelabels, ...) or a text,
// matched exactly: the labels the data manager's labels column shows.
func HasLabel(label string) (predicate.Annotation, error) {
	if err := checkText("label", label); err != nil {
		return nil, err
	}
	return func(s *sql.Selector) {
		col := s.C(annotation.FieldResult)
		s.Where(sql.P(func(b *sql.Builder) {
			if s.Dialect() == dialect.Postgres {
				b.WriteString("EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(" + col + ") = 'array' THEN " + col + " ELSE '[]' END) r, " +
					"jsonb_each(CASE WHEN jsonb_typeof(r.value -> 'value') = 'object' THEN r.value -> 'value' ELSE '{}' END) v, " +
					"jsonb_array_elements_text(CASE WHEN jsonb_typeof(v.value) = 'array' THEN v.value ELSE '[]' END) l " +
					"WHERE (v.key IN ('choices', 'text') OR v.key LIKE '%labels') AND l = ").Arg(label).WriteString(")")
				return
			}
			b.WriteString("EXISTS (SELECT 1 FROM json_each(" + col + ") r, json_each(r.value, '$.value') v, " +
				"json_each(CASE WHEN v.type = 'array' THEN v.value ELSE '[]' END) l " +
				"WHERE (v.key IN ('choices', 'text') OR v.key LIKE '%labels') AND l.type = 'text' AND l.value = ").Arg(label).WriteString(")")
		}))
	}, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
