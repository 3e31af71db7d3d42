import { useState, type FormEvent } from 'react';
import {
  Alert,
  Anchor,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, unwrap } from '../../api/client';
import { ColorSchemeToggle } from '../../layout/app-layout';
import { roleLabel } from '../../lib/format';
import { useSession } from '../../session/session';

export default function LoginPage() {
  const { me, logIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const demo = useQuery({
    queryKey: ['demo-logins'],
    queryFn: async () => unwrap(await api.GET('/api/v1/demo-logins')),
    staleTime: Infinity,
  });
  const next = params.get('next');
  const target = next?.startsWith('/') && !next.startsWith('//') ? next : '/';
  if (me) return <Navigate to={target} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await logIn(email.trim(), password);
      await navigate(target, { replace: true });
    } catch (e) {
      setError(
        e instanceof ApiError && e.problem.status === 401
          ? 'Wrong e-mail or password.'
          : e instanceof ApiError && e.problem.status === 429
            ? 'Too many attempts: wait a few minutes and try again.'
            : e instanceof Error
              ? e.message
              : String(e),
      );
    } finally {
      setBusy(false);
    }
  };

  const demoData = demo.data?.demo ? demo.data : null;
  return (
    <Center mih="100vh" p="md">
      <Stack w="100%" maw={520} component="main">
        <Group justify="space-between">
          <Title order={1}>OrderDesk</Title>
          <ColorSchemeToggle />
        </Group>
        <Paper withBorder p="lg" radius="md">
          <form onSubmit={(e) => void submit(e)} aria-label="Log in">
            <Stack>
              <Title order={2} size="h3">
                Log in
              </Title>
              <TextInput
                label="E-mail"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              {error && (
                <Alert color="red" role="alert">
                  {error}
                </Alert>
              )}
              <Button type="submit" loading={busy}>
                Log in
              </Button>
            </Stack>
          </form>
        </Paper>
        {demoData && (
          <Paper withBorder p="lg" radius="md">
            <Title order={2} size="h4">
              Demo logins
            </Title>
            <Text size="sm" c="dimmed" mb="xs">
              Password:{' '}
              {demoData.password ? (
                <code>{demoData.password}</code>
              ) : (
                'the value of ORDERDESK_DEMO_PASSWORD'
              )}
              . Choose one to fill in the form.
            </Text>
            <Table.ScrollContainer minWidth={320}>
              <Table fz="sm" verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Login</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Organization</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {demoData.logins.map((login) => (
                    <Table.Tr key={login.email}>
                      <Table.Td>
                        <Anchor
                          component="button"
                          type="button"
                          fz="sm"
                          onClick={() => {
                            setEmail(login.email);
                            if (demoData.password) setPassword(demoData.password);
                          }}
                        >
                          {login.email}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{roleLabel(login.role)}</Table.Td>
                      <Table.Td>{login.organization}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </Stack>
    </Center>
  );
}
