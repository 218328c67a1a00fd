package memory

import (
	"bufio"
	"debug/elf"
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
// the page cache, shared, and a later use maps them again. Left alone are
// writable mappings, mappings that hold any private (written) page, in
// memory or swapped out, and any mapping of the part of the file the
// dynamic loader relocates and then makes read-only (PT_GNU_RELRO: the GOT
// of the C libraries, zeros on disk), whatever smaps says of it.
func DropStartupPages() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	relro, ok := relroRange(exe)
	if !ok {
		return
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	defer f.Close()
	type mapping struct {
		start, end uintptr
		private    bool // holds written pages, or maps the relocated part of the file
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
			off, err3 := strconv.ParseUint(fields[2], 16, 64)
			if err1 != nil || err2 != nil || err3 != nil || end <= start {
				continue
			}
			cur = &mapping{start: uintptr(start), end: uintptr(end)}
			// The file range it maps: one overlapping the relocated part is
			// never dropped.
			cur.private = off < relro[1] && relro[0] < off+(end-start)
			ms = append(ms, cur)
			continue
		}
		switch fields[0] {
		case "Anonymous:", "Swap:", "SwapPss:":
			if cur != nil && (len(fields) < 2 || fields[1] != "0") {
				cur.private = true
			}
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

// relroRange returns the range of file offsets of exe's PT_GNU_RELRO
// segment ([0, 0) for a binary without one), or false when exe cannot be
// read as ELF: then nothing is dropped.
func relroRange(exe string) ([2]uint64, bool) {
	f, err := elf.Open(exe)
	if err != nil {
		return [2]uint64{}, false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_GNU_RELRO {
			// Whole pages: the loader protects the pages it covers.
			const page = 4096
			lo := p.Off &^ (page - 1)
			hi := (p.Off + p.Memsz + page - 1) &^ (page - 1)
			return [2]uint64{lo, hi}, true
		}
	}
	return [2]uint64{}, true
}
