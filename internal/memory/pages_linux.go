package memory

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DropStartupPages hands back the executable's pages that start-up mapped
// and serving does not use: package initializers of the cloud SDKs, the
// migration, the flag and config code. They are the read-only file pages of
// the binary (code and constant data), mapped into the process, which Linux
// counts in its resident memory: a page cache that holds the binary in
// large folios maps a whole folio (up to 2 MB) for one touched byte, so
// start-up left about 60 MB of a 96 MB binary mapped, most of it never
// touched again. Unmapping them (MADV_DONTNEED) loses nothing: they stay in
// the page cache, shared, and a later use maps them again. Mappings that
// hold any private (written) page, such as the relocated read-only data,
// are left alone, and so are writable ones.
func DropStartupPages() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	defer f.Close()
	type mapping struct {
		start, end uintptr
		private    bool // holds anonymous (copied-on-write) pages
	}
	var ms []*mapping
	var cur *mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && len(fields) >= 5 && len(fields[1]) == 4 {
			// A mapping's header: range, permissions, offset, device, inode[, path].
			cur = nil
			if len(fields) < 6 || fields[5] != exe || fields[1][1] == 'w' {
				continue
			}
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 != nil || err2 != nil || end <= start {
				continue
			}
			cur = &mapping{start: uintptr(start), end: uintptr(end)}
			ms = append(ms, cur)
			continue
		}
		if cur != nil && fields[0] == "Anonymous:" && (len(fields) < 2 || fields[1] != "0") {
			cur.private = true
		}
	}
	if sc.Err() != nil {
		return
	}
	for _, m := range ms {
		if !m.private {
			_, _, _ = unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_DONTNEED)
		}
	}
}
