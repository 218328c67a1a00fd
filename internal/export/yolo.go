package export

import (
	"archive/zip"
	"errors"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"time"

	"gloss/internal/text"
)

// writeYOLO writes the YOLO format as Label Studio's Converter.convert_to_yolo
// does, zipped: empty images/ folder, labels/<image name without
// extension>.txt per task, classes.txt (one class per line, in id order) and
// notes.json ({"categories": [...], "info": {...}}). A label file has one
// line per label of each region: "class cx cy w h" for rectangles and
// "class x1 y1 x2 y2 ..." for polygons, normalized to 0-1 and printed as
// Python prints floats (full precision, not rounded). A task without results
// gets an empty file. Classes are Schema.Labels in order, then labels met on
// the way.
//
// Differences from Label Studio, and why:
//   - Images are never downloaded (Label Studio's plain YOLO export does not
//     download either), so images/ stays empty.
//   - A task with several annotations gets the labels of its newest
//     non-cancelled one. Label Studio rewrites the file for each annotation
//     and so keeps the oldest, by accident of order.
//   - Label file names are sanitized (see safeBaseName): no path separators,
//     no "." or ".." names, nothing outside labels/. Zip entries must be
//     unique, so when two tasks' images share a name the later file gets
//     "_<task id>" (Label Studio overwrites the earlier one). The names used
//     are remembered by a 64-bit hash each (a collision only renames a file
//     that did not need it); that and the zip's central directory, which
//     archive/zip keeps until the end (about 200 bytes a file), are the
//     per-task state of this writer.
//   - Class names are written with line breaks replaced by spaces, so that
//     classes.txt keeps one class per line.
func writeYOLO(w io.Writer, s Schema, next func() (*Task, error)) error {
	if s.ImageKey == "" {
		return errors.New("the schema names no image key")
	}
	t0 := now()
	zw := zip.NewWriter(w)
	for _, dir := range []string{"images/", "labels/"} {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: dir, Modified: t0}); err != nil {
			return err
		}
	}
	y := &yoloWriter{schema: s, zw: zw, modified: t0, cats: newCategories(s.Labels, s.Categories), names: newFileNames()}
	if err := each(next, y.task); err != nil {
		return err
	}
	var classes []byte
	for _, n := range y.cats.byID() {
		classes = append(classes, cleanLine(n)...)
		classes = append(classes, '\n')
	}
	if err := y.file("classes.txt", classes); err != nil {
		return err
	}
	notes := append([]byte(`{"categories":`), y.cats.appendJSON(nil)...)
	notes = append(notes, `,"info":{"year":`...)
	notes = strconv.AppendInt(notes, int64(t0.Year()), 10)
	notes = append(notes, `,"version":"1.0","contributor":"Label Studio"}}`...)
	out, err := indented(nil, notes, "")
	if err != nil {
		return err
	}
	if err := y.file("notes.json", out); err != nil {
		return err
	}
	return zw.Close()
}

// yoloWriter holds the state of one YOLO export.
type yoloWriter struct {
	schema   Schema
	zw       *zip.Writer
	modified time.Time
	cats     *categories
	names    fileNames
	lines    []byte
}

// file adds a compressed file to the archive.
func (y *yoloWriter) file(name string, content []byte) error {
	f, err := y.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: y.modified})
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	return err
}

// task writes t's label file.
func (y *yoloWriter) task(t *Task) error {
	src, ok, err := taskImage(t, y.schema.ImageKey)
	if err != nil || !ok {
		return err
	}
	its := items(t)
	if len(its) == 0 {
		return nil // every annotation was cancelled
	}
	outs, err := its[0].outputs(y.schema)
	if err != nil {
		return err
	}
	y.lines = y.lines[:0]
	for _, o := range outs {
		for _, v := range o.values {
			y.region(v)
		}
	}
	return y.file("labels/"+y.names.unique(src, t.ID)+".txt", y.lines)
}

// region appends the lines of one region, one per label, as
// exports/yolo.process_and_save_yolo_annotations writes them.
func (y *yoloWriter) region(v value) {
	var names []string
	for _, k := range []string{"rectanglelabels", "polygonlabels", "labels"} {
		names = append(names, v.strs(k)...)
	}
	for _, name := range names {
		id := y.cats.id(name)
		var coords []float64
		switch {
		case v.isBox():
			x, okx := v.num("x")
			yy, oky := v.num("y")
			w, okw := v.num("width")
			h, okh := v.num("height")
			if !okx || !oky || !okw || !okh {
				continue
			}
			coords = []float64{(x + w/2) / 100, (yy + h/2) / 100, w / 100, h / 100}
		case v.isPolygon():
			pts := v.points()
			if len(pts) == 0 {
				continue
			}
			for _, p := range pts {
				coords = append(coords, p[0]/100, p[1]/100)
			}
		default:
			continue
		}
		y.lines = strconv.AppendInt(y.lines, int64(id), 10)
		for _, c := range coords {
			y.lines = append(y.lines, ' ')
			y.lines = append(y.lines, pyFloat(c)...)
		}
		y.lines = append(y.lines, '\n')
	}
}

// fileNames hands out the names of an archive's per-image files (YOLO's
// label files, VOC's annotation files): the image's base name made safe,
// without its extension, and unique. The names used are remembered by a
// 64-bit hash each (a collision only renames a file that did not need it).
type fileNames struct {
	used map[uint64]struct{}
}

func newFileNames() fileNames { return fileNames{used: make(map[uint64]struct{})} }

// usedSeed seeds the hashes of the file names used.
var usedSeed = maphash.MakeSeed()

// unique returns the unused file name (without extension) for an image.
func (f fileNames) unique(src string, taskID int) string {
	name := text.Clip(stem(safeBaseName(src, taskID)), maxNameBytes-12)
	if name == "" || name == "." || name == ".." {
		name = "task-" + strconv.Itoa(taskID)
	}
	base := name
	// Names are told apart regardless of case: unzipped on macOS or
	// Windows, Cat.txt and cat.txt are one file.
	for n := 1; ; n++ {
		if _, taken := f.used[maphash.String(usedSeed, strings.ToLower(name))]; !taken {
			break
		}
		name = base + "_" + strconv.Itoa(taskID)
		if n > 1 {
			name += "_" + strconv.Itoa(n)
		}
	}
	f.used[maphash.String(usedSeed, strings.ToLower(name))] = struct{}{}
	return name
}
