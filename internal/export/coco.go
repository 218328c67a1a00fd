package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// writeCOCO writes the COCO format as Label Studio's Converter.convert_to_coco
// does, zipped as Label Studio zips it: an empty images/ folder and
// result.json with "images", "categories", "annotations" and "info", indented
// by two spaces. Each converter item (see items) of a task with an image is
// one image, numbered from 0; its size is the original_width/original_height
// of its first labeled region, and an item without results is an image of
// null size. Rectangles (rotated ones by their enclosing box) and polygons
// become annotations in pixels, with "area" the box area or the polygon's
// shoelace area; categories are Schema.Labels in order, then labels met on
// the way. Tasks with no string under Schema.ImageKey are left out.
//
// Differences from Label Studio, and why:
//   - Images are never downloaded or opened, so sizes come only from the
//     results; a region before the first one with a size is skipped, as Label
//     Studio skips it when it cannot open the image. A zero size counts as no
//     size (Label Studio would list the image twice).
//   - "file_name" is a remote URL as given, and anything else is
//     images/<basename> (see cocoFileName): a path never leads outside the
//     archive and no file is read.
//   - Key points, and regions Label Studio fails on (a polygon without points,
//     a region of unknown kind), are skipped.
//   - result.json escapes neither "/" nor non-ASCII text (Label Studio's ujson
//     does); JSON readers see the same values.
//
// The images array is streamed into the archive while annotations are
// spooled to a temporary file, which is copied in after the categories are
// known and removed before returning.
func writeCOCO(w io.Writer, s Schema, next func() (*Task, error)) (err error) {
	if s.ImageKey == "" {
		return errors.New("the schema names no image key")
	}
	spool, err := os.CreateTemp("", "gloss-coco-*.json")
	if err != nil {
		return fmt.Errorf("spool annotations: %w", err)
	}
	defer func() {
		spool.Close()
		if rerr := os.Remove(spool.Name()); rerr != nil && err == nil {
			err = rerr
		}
	}()

	t0 := now()
	zw := zip.NewWriter(w)
	if _, err := zw.CreateHeader(&zip.FileHeader{Name: "images/", Modified: t0}); err != nil {
		return err
	}
	entry, err := zw.CreateHeader(&zip.FileHeader{Name: "result.json", Method: zip.Deflate, Modified: t0})
	if err != nil {
		return err
	}
	c := &cocoWriter{
		schema: s,
		out:    bufio.NewWriterSize(entry, 64<<10),
		spool:  bufio.NewWriterSize(spool, 64<<10),
		cats:   newCategories(s.Labels, s.Categories),
	}
	c.out.WriteString("{\n  \"images\": [")
	if err := each(next, c.task); err != nil {
		return err
	}
	c.out.WriteString(closeList(c.images))
	c.out.WriteString(",\n  \"categories\": ")
	if c.buf, err = indented(c.buf[:0], c.cats.appendJSON(nil), "  "); err != nil {
		return err
	}
	c.out.Write(c.buf)
	c.out.WriteString(",\n  \"annotations\": [")
	if err := c.spool.Flush(); err != nil {
		return fmt.Errorf("spool annotations: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool annotations: %w", err)
	}
	if _, err := io.Copy(c.out, spool); err != nil {
		return err
	}
	c.out.WriteString(closeList(c.annotations))
	c.out.WriteString(",\n  \"info\": ")
	if c.buf, err = indented(c.buf[:0], cocoInfo(t0), "  "); err != nil {
		return err
	}
	c.out.Write(c.buf)
	c.out.WriteString("\n}")
	if err := c.out.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// cocoWriter holds the state of one COCO export.
type cocoWriter struct {
	schema      Schema
	out         *bufio.Writer // result.json
	spool       *bufio.Writer // the annotations array's items
	cats        *categories
	images      int
	annotations int
	buf, obj    []byte
}

// closeList ends a streamed array of n items indented under a top-level key.
func closeList(n int) string {
	if n == 0 {
		return "]"
	}
	return "\n  ]"
}

// cocoInfo is result.json's "info", dated as Python's str(datetime.now()).
func cocoInfo(t time.Time) []byte {
	date := t.Format("2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		date += fmt.Sprintf(".%06d", us)
	}
	b := []byte(`{"year":`)
	b = strconv.AppendInt(b, int64(t.Year()), 10)
	b = append(b, `,"version":"1.0","description":"","contributor":"Label Studio","url":"","date_created":`...)
	b = appendString(b, date)
	return append(b, '}')
}

// task adds t's images and annotations.
func (c *cocoWriter) task(t *Task) error {
	data, err := jsonObjectOrEmpty(t.Data, "data")
	if err != nil {
		return err
	}
	obj, err := parseObject(data)
	if err != nil {
		return err
	}
	raw, ok := obj.get(c.schema.ImageKey)
	var src string
	if !ok || json.Unmarshal(raw, &src) != nil || src == "" {
		return nil
	}
	fileName := cocoFileName(src, t.ID)
	for _, it := range items(t) {
		if err := c.item(it, fileName); err != nil {
			return err
		}
	}
	return nil
}

// item adds one converter item: an image and its annotations.
func (c *cocoWriter) item(it item, fileName string) error {
	outs, err := it.outputs(c.schema)
	if err != nil {
		return err
	}
	imageID := c.images
	if len(outs) == 0 {
		return c.image(imageID, "null", "null", fileName)
	}
	var width, height float64
	sized := false
	for _, o := range outs {
		for _, v := range o.values {
			name, ok := v.firstLabel()
			if !ok {
				continue
			}
			if !sized {
				ow, okw := v.num("original_width")
				oh, okh := v.num("original_height")
				if !okw || !okh || ow <= 0 || oh <= 0 {
					continue
				}
				width, height, sized = ow, oh, true
				rw, _ := v.obj.get("original_width")
				rh, _ := v.obj.get("original_height")
				if err := c.image(imageID, pyNumberText(rw), pyNumberText(rh), fileName); err != nil {
					return err
				}
			}
			catID := c.cats.id(name)
			switch {
			case v.has("rectanglelabels") || v.has("labels"):
				x, y, w, h, ok := v.rotatedRectangle()
				if !ok {
					continue
				}
				ow, oh := width, height
				if f, ok := v.num("original_width"); ok {
					ow = f
				}
				if f, ok := v.num("original_height"); ok {
					oh = f
				}
				x, y = x*ow/100, y*oh/100
				w, h = w*ow/100, h*oh/100
				if err := c.annotation(imageID, catID, nil, [4]float64{x, y, w, h}, w*h); err != nil {
					return err
				}
			case v.has("polygonlabels"):
				pts := v.points()
				if len(pts) == 0 {
					continue
				}
				xs := make([]float64, len(pts))
				ys := make([]float64, len(pts))
				seg := make([]float64, 0, 2*len(pts))
				for i, p := range pts {
					xs[i], ys[i] = p[0]/100*width, p[1]/100*height
					seg = append(seg, xs[i], ys[i])
				}
				x0, y0, x1, y1 := xs[0], ys[0], xs[0], ys[0]
				for i := range xs {
					x0, y0 = min(x0, xs[i]), min(y0, ys[i])
					x1, y1 = max(x1, xs[i]), max(y1, ys[i])
				}
				if err := c.annotation(imageID, catID, seg, [4]float64{x0, y0, x1 - x0, y1 - y0}, polygonArea(xs, ys)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// image streams one entry of the images array.
func (c *cocoWriter) image(id int, width, height, fileName string) error {
	b := append(c.obj[:0], `{"width":`...)
	b = append(b, width...)
	b = append(b, `,"height":`...)
	b = append(b, height...)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"file_name":`...)
	b = appendString(b, fileName)
	c.obj = append(b, '}')
	if err := c.writeItem(c.out, c.images); err != nil {
		return err
	}
	c.images++
	return nil
}

// annotation spools one entry of the annotations array.
func (c *cocoWriter) annotation(imageID, catID int, seg []float64, bbox [4]float64, area float64) error {
	b := append(c.obj[:0], `{"id":`...)
	b = strconv.AppendInt(b, int64(c.annotations), 10)
	b = append(b, `,"image_id":`...)
	b = strconv.AppendInt(b, int64(imageID), 10)
	b = append(b, `,"category_id":`...)
	b = strconv.AppendInt(b, int64(catID), 10)
	b = append(b, `,"segmentation":[`...)
	if seg != nil {
		b = appendFloats(b, seg)
	}
	b = append(b, `],"bbox":`...)
	b = appendFloats(b, bbox[:])
	b = append(b, `,"ignore":0,"iscrowd":0,"area":`...)
	b = append(b, pyFloat(area)...)
	c.obj = append(b, '}')
	if err := c.writeItem(c.spool, c.annotations); err != nil {
		return err
	}
	c.annotations++
	return nil
}

// writeItem writes c.obj as item i of an array under a top-level key.
func (c *cocoWriter) writeItem(w *bufio.Writer, i int) error {
	sep := ",\n    "
	if i == 0 {
		sep = "\n    "
	}
	var err error
	if c.buf, err = indented(append(c.buf[:0], sep...), c.obj, "    "); err != nil {
		return err
	}
	_, err = w.Write(c.buf)
	return err
}

// appendFloats appends fs as a JSON array of Python-formatted numbers.
func appendFloats(b []byte, fs []float64) []byte {
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, pyFloat(f)...)
	}
	return append(b, ']')
}

// pyNumberText writes a JSON number as Python prints it after loading it:
// integers as they are, anything else as a float.
func pyNumberText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if !bytes.ContainsAny(raw, ".eE") {
		if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return string(raw)
		}
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return "null"
	}
	return pyFloat(f)
}
