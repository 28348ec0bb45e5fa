package app

import (
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
)

// onAzure reports whether the binary runs in an Azure Pipelines job, whose
// agent sets TF_BUILD=True for every step.
func (m *Main) onAzure() bool { return strings.EqualFold(m.Getenv("TF_BUILD"), "true") }

// azureSink speaks the agent's logging commands. Outputs become pipeline
// variables under their dotenv names (PASSCODE, ACCESS_TOKEN, …), secret
// where config.Outputs says so; authorization is left out as dotenv leaves
// it out ("Bearer " + ACCESS_TOKEN rebuilds it), so that no variable holds a
// secret without being secret itself.
func (m *Main) azureSink(json bool) emit.Sink {
	return emit.NewAzure(m.Stdout, m.Stderr, emit.AzureOptions{JSON: json, Getenv: m.Getenv,
		Variable: func(name string) (string, bool, bool) {
			out, ok := config.LookupOutput(name)
			if !ok || out.NoDotenv {
				return "", false, false
			}
			return emit.DotenvName(name), out.Secret, true
		}})
}
