package app

import (
	"context"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/ias"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

func (m *Main) prepareIAS(s *config.Settings, sink emit.Sink) (prepared, error) {
	if s.IASTenant == "" {
		return nil, s.Missing("ias-tenant", "name the IAS tenant (id, host or https URL)")
	}
	tenant, err := ias.ParseTenant(s.IASTenant)
	if err != nil {
		return nil, &config.InputError{Input: "ias-tenant", Problem: err.Error(),
			Fix: "give a tenant id (mytenant), a host (mytenant.accounts.ondemand.com) or an https URL"}
	}
	input, data, err := certificateInput(s)
	if err != nil {
		return nil, err
	}
	if input == "" {
		return nil, &config.InputError{Input: "certificate", Problem: "missing",
			Fix: s.Where("certificate") + " (or certificate-file) to give the user's PKCS#12 or PEM certificate"}
	}
	id, err := loadIdentity(input, data, s.CertificatePassword, m.now(), sink)
	if err != nil {
		return nil, err
	}
	pool, err := rootPool(s)
	if err != nil {
		return nil, err
	}
	if err := checkDotenv(s); err != nil {
		return nil, err
	}
	hc := transport.New(transport.Options{Timeout: s.Timeout, RootCAs: pool, ClientCertificate: &id.TLS})
	return func(ctx context.Context) (*result, error) {
		now := m.now()
		p, err := ias.Fetch(ctx, hc, tenant, userAgent())
		if err != nil {
			return nil, err
		}
		outs := append([]emit.Output{{Name: "passcode", Value: p.Value}}, expiry(now, p.ExpiresIn)...)
		return &result{outputs: outs, primary: "passcode", secrets: []string{p.Value}}, nil
	}, nil
}
