// Command ltcctl is the LTC engine's command-line client. `ltcctl --help` lists its commands.
package main

import (
	"fmt"
	"os"

	"github.com/ltcengine/ltc/internal/ctl"
)

func main() {
	if err := ctl.New(os.Stdout).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ltcctl:", err)
		os.Exit(1)
	}
}
