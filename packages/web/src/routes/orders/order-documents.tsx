import { useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  FileInput,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  api,
  idempotencyKey,
  sendRaw,
  unwrap,
  type Order,
  type OrderDocument,
} from '../../api/client';
import { fieldError, WriteError } from '../../components/problem-fields';
import { QueryState } from '../../components/query-state';
import { formatDateTime, formatNumber, humanize } from '../../lib/format';

const KINDS = [
  { value: 'po', label: 'Purchase order (PDF)' },
  { value: 'product_file', label: 'Product file' },
  { value: 'license', label: 'License file' },
  { value: 'other', label: 'Other' },
] as const;
type Kind = OrderDocument['kind'];

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function documentUrl(orderId: string, documentId: string): string {
  return `/api/v1/orders/${encodeURIComponent(orderId)}/documents/${encodeURIComponent(documentId)}`;
}

/** The order's documents, oldest first (shared with the fulfilment form). */
export function useOrderDocuments(orderId: string) {
  return useQuery({
    queryKey: ['order', orderId, 'documents'],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/orders/{orderId}/documents', { params: { path: { orderId } } }))
        .items,
  });
}

function UploadForm({ order }: { order: Order }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<Kind | null>(null);
  const upload = useMutation({
    mutationFn: async () => {
      const form = new FormData();
      if (kind) form.append('kind', kind);
      form.append('file', file!);
      return sendRaw('POST', `/api/v1/orders/${encodeURIComponent(order.id)}/documents`, form, {
        'idempotency-key': idempotencyKey(),
      }) as Promise<OrderDocument>;
    },
    onSuccess: async () => {
      setFile(null);
      await queryClient.invalidateQueries({ queryKey: ['order', order.id] });
    },
  });
  return (
    <form
      aria-label="Upload a document"
      onSubmit={(e) => {
        e.preventDefault();
        if (file) upload.mutate();
      }}
    >
      <Stack gap="xs">
        <Group wrap="wrap" align="flex-start" grow>
          <FileInput
            label="File"
            description="PDF, spreadsheet, license or product file"
            value={file}
            onChange={(f) => {
              setFile(f);
              upload.reset();
            }}
            error={fieldError(upload.error, 'file')}
            required
            clearable
          />
          <Select
            label="Kind"
            placeholder="Read from the file"
            description="A PDF without a kind is read as the PO"
            data={KINDS.map((k) => ({ value: k.value, label: k.label }))}
            value={kind}
            onChange={(v) => setKind(v)}
            error={fieldError(upload.error, 'kind')}
            clearable
          />
        </Group>
        <WriteError error={upload.error} shownAt={['file', 'kind']} />
        {upload.isSuccess && (
          <Alert color="green" role="status">
            Uploaded {upload.data.name}.
          </Alert>
        )}
        <Button type="submit" w="fit-content" loading={upload.isPending} disabled={!file}>
          Upload
        </Button>
      </Stack>
    </form>
  );
}

function DocumentRow({ orderId, d }: { orderId: string; d: OrderDocument }) {
  const problems = d.extraction?.problems ?? [];
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor href={documentUrl(orderId, d.id)} download={d.name}>
          {d.name}
        </Anchor>
        <Text size="xs" c="dimmed">
          {d.contentType} · {formatSize(d.size)}
        </Text>
      </Table.Td>
      <Table.Td>{humanize(d.kind)}</Table.Td>
      <Table.Td>
        {formatDateTime(d.uploadedAt)}
        <Text size="xs" c="dimmed">
          {d.uploadedBy}
        </Text>
      </Table.Td>
      <Table.Td>
        {d.extraction ? (
          d.extraction.ok && problems.length === 0 ? (
            <Badge color="teal.9" variant="filled" style={{ textTransform: 'none' }}>
              Matches the order
            </Badge>
          ) : (
            <Stack gap={2}>
              {d.extraction.reason && <Text size="xs">{d.extraction.reason}</Text>}
              {problems.map((p, i) => (
                <Text size="xs" c="red.9" key={i}>
                  {p.path}: {p.message}
                </Text>
              ))}
            </Stack>
          )
        ) : (
          '—'
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** The order's documents: download each, upload another. */
export function OrderDocuments({ order }: { order: Order }) {
  const documents = useOrderDocuments(order.id);
  return (
    <section aria-labelledby="documents-title">
      <Title order={3} size="h4" id="documents-title" mb="xs">
        Documents
      </Title>
      <Stack gap="sm">
        <QueryState query={documents}>
          {(items) =>
            items.length === 0 ? (
              <Text c="dimmed" size="sm">
                No documents yet.
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped aria-label="Documents of the order">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>File</Table.Th>
                      <Table.Th>Kind</Table.Th>
                      <Table.Th>Uploaded</Table.Th>
                      <Table.Th>PO check</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((d) => (
                      <DocumentRow key={d.id} orderId={order.id} d={d} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
        <UploadForm order={order} />
      </Stack>
    </section>
  );
}
