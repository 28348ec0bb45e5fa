package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unicode/utf8"
)

// readInputFile reads the file a file input names, with an error that names the
// input and never the content. Only a regular file (or a symlink to one) of
// at most maxValue bytes is read: a FIFO, a device, a socket or a
// directory is refused before any byte is read. The file is opened with
// openInputFlags (non-blocking on unix, so a FIFO without a writer cannot
// hang the run) and read through a cap, so /dev/zero-like files cannot grow
// memory.
func readInputFile(input, path string) ([]byte, error) {
	fail := func(problem string) error {
		return &InputError{Input: input, Problem: problem, Fix: msgFileFix}
	}
	f, err := os.OpenFile(path, openInputFlags, 0)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fail(msgNoSuchFile)
		case errors.Is(err, fs.ErrPermission):
			return nil, fail(msgPermissionDenied)
		}
		return nil, fail(msgCannotOpen)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fail(msgCannotReadFile)
	}
	if !st.Mode().IsRegular() {
		return nil, fail(fmt.Sprintf(msgNotRegularFile, kind(st.Mode())))
	}
	if st.Size() > maxValue {
		return nil, fail(fmt.Sprintf(msgFileTooLarge, maxValue))
	}
	b, err := io.ReadAll(io.LimitReader(f, maxValue+1))
	if err != nil {
		return nil, fail(msgCannotReadFile)
	}
	if len(b) > maxValue {
		return nil, fail(fmt.Sprintf(msgFileTooLarge, maxValue))
	}
	return b, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return msgKindDirectory
	case m&fs.ModeNamedPipe != 0:
		return msgKindFIFO
	case m&fs.ModeSocket != 0:
		return msgKindSocket
	case m&fs.ModeDevice != 0:
		return msgKindDevice
	}
	return msgKindOther
}

// isText reports whether file content is text worth masking (a PEM file or
// a service key), as opposed to a binary PKCS#12 file.
func isText(b []byte) bool {
	return utf8.Valid(b)
}
