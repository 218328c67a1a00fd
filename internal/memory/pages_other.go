//go:build !linux

package memory

// DropStartupPages does nothing outside Linux.
func DropStartupPages() {}
