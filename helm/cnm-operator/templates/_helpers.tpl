{{- define "cnm.name" -}}cnm-operator{{- end }}

{{- define "cnm.labels" -}}
app.kubernetes.io/name: {{ include "cnm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- define "cnm.image" -}}
{{- $tag := .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{ .root.Values.image.registry }}/{{ .image.repository }}:{{ $tag }}
{{- end }}

{{- define "cnm.operator.fullname" -}}{{ .Release.Name }}-operator{{- end }}
{{- define "cnm.daemon.fullname" -}}{{ .Release.Name }}-node-daemon{{- end }}
