{{/* Names and labels shared by every template. */}}

{{- define "badgehub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "badgehub.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "badgehub.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "badgehub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component (web, worker, migrations); pass (list $ "web"). */}}
{{- define "badgehub.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "badgehub.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "badgehub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "badgehub.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "badgehub.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "badgehub.cnpgClusterName" -}}
{{- printf "%s-db" (include "badgehub.fullname" .) | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "badgehub.ingressHost" -}}
{{- default (urlParse .Values.publicUrl).host .Values.ingress.host -}}
{{- end -}}

{{/*
The database URL: from the operator-made Secret of the CloudNativePG cluster (key `uri`), or
from the Secret the operator of the hub names.
*/}}
{{- define "badgehub.databaseUrlEnv" -}}
- name: HUB_DATABASE_URL
  valueFrom:
    secretKeyRef:
{{- if .Values.cnpg.enabled }}
      name: {{ include "badgehub.cnpgClusterName" . }}-app
      key: uri
{{- else }}
      name: {{ required "secrets.databaseUrl.name is required unless cnpg.enabled is true" .Values.secrets.databaseUrl.name }}
      key: {{ .Values.secrets.databaseUrl.key }}
{{- end }}
{{- end -}}

{{/* Environment of the web and worker containers: the ConfigMap, then every Secret. */}}
{{- define "badgehub.environment" -}}
envFrom:
  - configMapRef:
      name: {{ include "badgehub.fullname" . }}
env:
{{- include "badgehub.databaseUrlEnv" . | nindent 2 }}
  - name: HUB_KEY_ENCRYPTION_KEY
    valueFrom:
      secretKeyRef:
        name: {{ required "secrets.keyEncryptionKey.name is required: issuer keys are encrypted with it" .Values.secrets.keyEncryptionKey.name }}
        key: {{ .Values.secrets.keyEncryptionKey.key }}
{{- /* Optional secrets: a variable only for each Secret that is named. */}}
{{- $optional := dict
  "HUB_OIDC_CLIENT_SECRET" .Values.secrets.keycloakClientSecret
  "HUB_PROVISIONING_CLIENT_SECRET" .Values.secrets.provisioningClientSecret
  "HUB_SMTP_PASSWORD" .Values.secrets.smtpPassword
  "HUB_METRICS_TOKEN" .Values.secrets.metricsToken
}}
{{- range $variable, $reference := $optional }}
{{- if $reference.name }}
  - name: {{ $variable }}
    valueFrom:
      secretKeyRef:
        name: {{ $reference.name }}
        key: {{ $reference.key }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The writable /tmp of every pod; the root filesystem is read-only. */}}
{{- define "badgehub.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "badgehub.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}
