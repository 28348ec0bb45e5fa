package ias

import (
	"context"
	"fmt"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// Flow is the ias-passcode entry of the flow registry.
var Flow = flow.Flow{
	Name:    "ias-passcode",
	Summary: textSummary,
	Inputs:  config.Names(&config.In.IASTenant, &config.In.Certificate, &config.In.CertificatePassword),
	Primary: config.OutPasscode,
	Outputs: []string{config.OutPasscode, config.OutExpiresIn, config.OutExpiresAt},
	Prepare: prepare,
}

func prepare(s *config.Settings, env *flow.Env) (flow.Run, error) {
	if s.IASTenant == "" {
		return nil, s.Missing(&s.IASTenant, msgMissingTenant)
	}
	tenant, err := ParseTenant(s.IASTenant)
	if err != nil {
		return nil, &config.InputError{Input: s.Name(&s.IASTenant), Problem: err.Error(),
			Fix: msgTenantFix}
	}
	if !s.Certificate.Given() {
		return nil, &config.InputError{Input: s.Name(&s.Certificate), Problem: "missing",
			Fix: fmt.Sprintf(msgCertificateFix, s.Where(&s.Certificate))}
	}
	env.Describe(textPasscodeURL, tenant.JoinPath(passcodePath).String())
	cert, err := flow.ClientCertificate(s, env)
	if err != nil {
		return nil, err
	}
	hc, err := env.Client(cert)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*flow.Result, error) {
		issued := env.Now()
		p, err := fetch(ctx, hc, tenant)
		if err != nil {
			return nil, err
		}
		if p.Warning != "" {
			env.Warn(p.Warning)
		}
		return &flow.Result{
			Values:   map[string]string{config.OutPasscode: p.Value},
			Lifetime: p.Lifetime,
			Issued:   issued,
		}, nil
	}, nil
}
