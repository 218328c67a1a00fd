package export

import (
	"archive/zip"
	"errors"
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// writeVOC writes Pascal VOC as Label Studio's Converter.convert_to_voc
// does, zipped: an empty images/ folder and Annotations/<image name
// without extension>.xml per task with boxes, each an <annotation> with
// the folder, file name, source, owner, size (the first box's
// original_width and original_height, depth 3) and one <object> per box:
// its first label, and its corners in whole pixels (truncated, as
// Python's int()). The XML is written as Python's minidom writes it with
// no indent: one element per line.
//
// Differences from Label Studio, and why:
//   - Images are never downloaded (Write opens nothing that task data
//     points at), so images/ stays empty and depth is always 3, Label
//     Studio's value when it cannot read the image.
//   - A task with several annotations gets the boxes of its newest
//     non-cancelled one, as YOLO does here; Label Studio writes a file
//     per annotation over the same name.
//   - File names are sanitized and made unique as YOLO's are (see
//     fileNames).
//   - Characters that XML 1.0 cannot hold (control characters) are
//     replaced, so the file always parses.
//   - A rotated box is written as the axis-aligned box around it (as COCO
//     is here); Label Studio writes its corners as if it were not turned.
//     The image's size is the first box's that has one; Label Studio skips
//     a task whose first region has none, text spans beside the boxes
//     included. Boxes on a second Image are written with the first.
func writeVOC(w io.Writer, s Schema, next func() (*Task, error)) error {
	if s.ImageKey == "" {
		return errors.New("the schema names no image key")
	}
	t0 := now()
	zw := zip.NewWriter(w)
	for _, dir := range []string{"images/", "Annotations/"} {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: dir, Modified: t0}); err != nil {
			return err
		}
	}
	v := &vocWriter{names: newFileNames(), schema: s, zw: zw, modified: t0}
	if err := each(next, v.task); err != nil {
		return err
	}
	return zw.Close()
}

// vocWriter holds the state of one VOC export.
type vocWriter struct {
	names    fileNames
	schema   Schema
	zw       *zip.Writer
	modified time.Time
	doc      []byte
}

// vocBox is one box of a task, in percent.
type vocBox struct {
	name       string
	x, y, w, h float64
}

// task writes t's annotation file, if it has boxes.
func (v *vocWriter) task(t *Task) error {
	src, ok, err := taskImage(t, v.schema.ImageKey)
	if err != nil || !ok {
		return err
	}
	its := items(t)
	if len(its) == 0 || its[0].ann == nil {
		return nil // no annotation, or every one cancelled
	}
	outs, err := its[0].outputs(v.schema)
	if err != nil {
		return err
	}
	var boxes []vocBox
	width, height := 0.0, 0.0
	for _, o := range outs {
		for _, r := range o.values {
			// Boxes only: a text span's "labels" beside them is no box.
			labels := r.strs("rectanglelabels")
			x, y, w, h, ok := r.rotatedRectangle()
			if len(labels) == 0 || !ok {
				continue
			}
			if width == 0 {
				width, _ = r.num("original_width")
				height, _ = r.num("original_height")
			}
			boxes = append(boxes, vocBox{labels[0], x, y, w, h})
		}
	}
	if len(boxes) == 0 || width <= 0 || height <= 0 {
		return nil // no box, or none says the image's size (Label Studio skips these too)
	}
	name := v.names.unique(src, t.ID)
	d := append(v.doc[:0], "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotation>\n"...)
	d = vocElement(d, "folder", "images")
	d = vocElement(d, "filename", safeBaseName(src, t.ID))
	d = append(d, "<source>\n"...)
	d = vocElement(d, "database", "MyDatabase")
	d = vocElement(d, "annotation", "COCO2017")
	d = vocElement(d, "image", "flickr")
	d = vocElement(d, "flickrid", "NULL")
	annotator := ""
	if a := its[0].ann; a.CompletedBy != 0 {
		annotator = strconv.Itoa(a.CompletedBy)
	}
	d = vocElement(d, "annotator", annotator)
	d = append(d, "</source>\n<owner>\n"...)
	d = vocElement(d, "flickrid", "NULL")
	d = vocElement(d, "name", "Label Studio")
	d = append(d, "</owner>\n<size>\n"...)
	d = vocElement(d, "width", vocSize(width))
	d = vocElement(d, "height", vocSize(height))
	d = vocElement(d, "depth", "3")
	d = append(d, "</size>\n"...)
	d = vocElement(d, "segmented", "0")
	for _, b := range boxes {
		x, y := int(b.x/100*width), int(b.y/100*height)
		w, h := int(b.w/100*width), int(b.h/100*height)
		d = append(d, "<object>\n"...)
		d = vocElement(d, "name", b.name)
		d = vocElement(d, "pose", "Unspecified")
		d = vocElement(d, "truncated", "0")
		d = vocElement(d, "difficult", "0")
		d = append(d, "<bndbox>\n"...)
		d = vocElement(d, "xmin", strconv.Itoa(x))
		d = vocElement(d, "ymin", strconv.Itoa(y))
		d = vocElement(d, "xmax", strconv.Itoa(x+w))
		d = vocElement(d, "ymax", strconv.Itoa(y+h))
		d = append(d, "</bndbox>\n</object>\n"...)
	}
	d = append(d, "</annotation>\n"...)
	v.doc = d
	f, err := v.zw.CreateHeader(&zip.FileHeader{Name: "Annotations/" + name + ".xml", Method: zip.Deflate, Modified: v.modified})
	if err != nil {
		return err
	}
	_, err = f.Write(d)
	return err
}

// vocSize prints a size as Python's str() prints the JSON number Label
// Studio read: whole numbers without a fraction, others as floats.
func vocSize(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return pyFloat(f)
}

// vocElement appends <tag>text</tag> and a line break, with text escaped
// as minidom escapes it, and what XML 1.0 cannot hold replaced.
func vocElement(b []byte, tag, text string) []byte {
	b = append(b, '<')
	b = append(b, tag...)
	b = append(b, '>')
	for _, r := range text {
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '"':
			b = append(b, "&quot;"...)
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	b = append(b, "</"...)
	b = append(b, tag...)
	return append(b, ">\n"...)
}
