// Command protodump writes the .proto sources of the imported third-party schemas (protovalidate's
// buf/validate/validate.proto and google/type/date.proto) into a directory, printed from the descriptors
// compiled into their Go packages. buf then resolves our imports offline, against exactly the versions
// the server runs with.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	validate "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"github.com/jhump/protoreflect/desc"
	"github.com/jhump/protoreflect/desc/protoprint"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/protobuf/reflect/protoreflect"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: protodump DIR")
		os.Exit(2)
	}
	if err := dump(os.Args[1], validate.File_buf_validate_validate_proto, date.File_google_type_date_proto); err != nil {
		fmt.Fprintln(os.Stderr, "protodump:", err)
		os.Exit(1)
	}
}

func dump(dir string, files ...protoreflect.FileDescriptor) error {
	printer := &protoprint.Printer{}
	for _, file := range files {
		d, err := desc.WrapFile(file)
		if err != nil {
			return fmt.Errorf("wrap %s: %w", file.Path(), err)
		}
		path := filepath.Join(dir, file.Path())
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := printer.PrintProtoFile(d, f); err != nil {
			f.Close()
			return fmt.Errorf("print %s: %w", file.Path(), err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
