package app

import (
	"errors"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
)

func (m *Main) prepareOAuth(s *config.Settings, sink emit.Sink) (prepared, error) {
	return nil, errors.New("not yet")
}
