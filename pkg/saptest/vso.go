package saptest

import (
	"sort"
	"strings"
)

// This file reads Azure Pipelines logging commands as the agent does,
// written from microsoft/azure-pipelines-agent at commit
// 42bde98bea7bb3b9e186d693e3b1554249e93a38 and not from pkg/emit's escaper:
// src/Microsoft.VisualStudio.Services.Agent/Command.cs (TryParse),
// src/Agent.Sdk/CommandStringConvertor.cs (Unescape),
// src/Agent.Worker/TaskCommandExtension.cs (setsecret, setvariable,
// logissue) and src/Agent.Sdk/ProcessInvoker.cs (StreamReader.ReadLine:
// lines end at LF, CR or CR LF).

// VsoCommand is one parsed ##vso[area.event k=v;…]data line.
type VsoCommand struct {
	Area, Event string
	// Properties by lower-case key (the agent's dictionary ignores case).
	Properties map[string]string
	Data       string
}

// VsoUnescape is CommandStringConvertor.Unescape.
func VsoUnescape(s string, decodePercents bool) string {
	for _, m := range [][2]string{{"%3B", ";"}, {"%0D", "\r"}, {"%0A", "\n"}, {"%5D", "]"}} {
		s = strings.ReplaceAll(s, m[0], m[1])
	}
	if decodePercents {
		s = strings.ReplaceAll(s, "%AZP25", "%")
	}
	return s
}

// ParseVso is Command.TryParse: the command starts at the first "##vso["
// anywhere in line.
func ParseVso(line string, decodePercents bool) (VsoCommand, bool) {
	const prefix = "##vso["
	i := strings.Index(line, prefix)
	if i < 0 {
		return VsoCommand{}, false
	}
	rb := strings.IndexByte(line[i:], ']')
	if rb < 0 {
		return VsoCommand{}, false
	}
	rb += i
	info := line[i+len(prefix) : rb]
	name, props, hasProps := strings.Cut(info, " ")
	var parts []string
	for _, p := range strings.Split(name, ".") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) != 2 {
		return VsoCommand{}, false
	}
	c := VsoCommand{Area: parts[0], Event: parts[1], Properties: map[string]string{}}
	if hasProps && props != "" {
		for _, p := range strings.Split(props, ";") {
			k, v, ok := strings.Cut(p, "=")
			if !ok || k == "" || v == "" {
				continue
			}
			c.Properties[strings.ToLower(k)] = VsoUnescape(v, decodePercents)
		}
	}
	c.Data = VsoUnescape(line[rb+1:], decodePercents)
	return c, true
}

// VsoVariable is a pipeline variable a step set.
type VsoVariable struct {
	Value          string
	Secret, Output bool
}

// VsoIssue is a ##vso[task.logissue].
type VsoIssue struct{ Type, Message string }

// VsoLog is what the agent made of a step's output.
type VsoLog struct {
	// Secrets in the order registered (setsecret, setvariable issecret=true).
	Secrets   []string
	Variables map[string]VsoVariable
	Issues    []VsoIssue
	// Lines are the lines that are not commands, as the agent logs them
	// (secrets replaced by ***).
	Lines []string
	// FirstOther is the index among all lines of the first line that is not
	// a setsecret, or -1; LastSecret the index of the last setsecret, or -1.
	FirstOther, LastSecret int
}

// ReadVsoLog reads a step's output (stdout and stderr as the agent reads
// them) into what the agent would do.
func ReadVsoLog(out string, decodePercents bool) VsoLog {
	l := VsoLog{Variables: map[string]VsoVariable{}, FirstOther: -1, LastSecret: -1}
	out = strings.ReplaceAll(out, "\r\n", "\n")
	lines := strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' })
	for i, line := range lines {
		c, ok := ParseVso(line, decodePercents)
		isSecret := ok && strings.EqualFold(c.Area, "task") && strings.EqualFold(c.Event, "setsecret")
		if isSecret {
			l.LastSecret = i
		} else if l.FirstOther < 0 {
			l.FirstOther = i
		}
		switch {
		case !ok:
			l.Lines = append(l.Lines, line)
		case isSecret:
			if c.Data != "" {
				l.Secrets = append(l.Secrets, c.Data)
			}
		case strings.EqualFold(c.Event, "setvariable"):
			v := VsoVariable{Value: c.Data, Secret: strings.EqualFold(c.Properties["issecret"], "true"),
				Output: strings.EqualFold(c.Properties["isoutput"], "true")}
			if v.Secret && v.Value != "" {
				l.Secrets = append(l.Secrets, v.Value)
			}
			l.Variables[c.Properties["variable"]] = v
		case strings.EqualFold(c.Event, "logissue"):
			l.Issues = append(l.Issues, VsoIssue{Type: c.Properties["type"], Message: c.Data})
		}
	}
	for i := range l.Lines {
		l.Lines[i] = l.Mask(l.Lines[i])
	}
	for i := range l.Issues {
		l.Issues[i].Message = l.Mask(l.Issues[i].Message)
	}
	return l
}

// Mask replaces every registered secret in text by ***, longest first, as
// the agent's secret masker does.
func (l VsoLog) Mask(text string) string {
	s := append([]string(nil), l.Secrets...)
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	for _, v := range s {
		text = strings.ReplaceAll(text, v, "***")
	}
	return text
}
