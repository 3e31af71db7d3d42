import { useEffect, useMemo, useRef, useState, type FocusEvent } from 'react';
import {
  ActionIcon,
  Alert,
  Anchor,
  Blockquote,
  Button,
  Card,
  Checkbox,
  CopyButton,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import {
  api,
  ApiError,
  idempotencyKey,
  unwrap,
  type Contact,
  type Customer,
  type Me,
  type Order,
  type OrderValidation,
  type Partnership,
  type Problem,
  type Quote,
  type VendorProfile,
} from '../../api/client';
import { readAllPages, WHOLE_READ_PAGE_SIZE } from '../../api/paged';
import { useContacts, useCustomer, useOrder, usePartnerships, useProfile } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
import { ErrorPanel } from '../../layout/route-error';
import { Center, Loader } from '@mantine/core';
import { formatDate, formatDateTime } from '../../lib/format';
import { formatMoney, lineAmount } from '../../lib/money';
import { useMe } from '../../session/session';
import { CatalogPanel, type PricedProduct } from './catalog-panel';
import { FieldInput } from './field-input';
import { LinesEditor } from './lines-editor';
import {
  discardDraft,
  loadDraft,
  sameDraftState,
  saveDraft,
  type DraftScope,
} from './wizard-draft';
import {
  buildSubmission,
  fieldOfProblem,
  fieldsOf,
  linesOfQuote,
  messageOf,
  openHoldProblems,
  orderPartnerTier,
  orderTypeOf,
  orphanProblems,
  poTotal,
  prefill,
  plainMessage,
  problemOfBadRequest,
  problemsAt,
  problemsOfField,
  stateFromOrder,
  STEP_LABELS,
  stepOf,
  withoutMissingAtFilled,
  withoutOwnPoDuplicate,
  type FieldSpec,
  type WizardLine,
  type WizardState,
} from './wizard-model';
import { PencilIcon } from '../../components/icons';

interface WizardProps {
  profile: VendorProfile;
  partnership: Partnership | undefined;
  customer: Customer;
  contacts: Contact[];
  me: Me;
  order?: Order | undefined;
  /** The approved quote to order ("Order this quote"): chosen, its lines the items. */
  quote?: Quote | undefined;
}

function fieldValueText(spec: FieldSpec, value: unknown): string {
  if (spec.kind === 'checkbox') return value === true ? 'Yes' : 'No';
  if (spec.kind === 'date' && typeof value === 'string' && value) return formatDate(value);
  return typeof value === 'string' && value.trim() !== '' ? value : '—';
}

function Wizard({ profile, partnership, customer, contacts, me, order, quote }: WizardProps) {
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const vertical = useMediaQuery('(max-width: 48em)');
  const linesShip = (lines: readonly WizardLine[]) => lines.some((l) => l.ships);
  const context = (lines: readonly WizardLine[]) => ({
    partnerTier: orderPartnerTier(me, customer),
    linesShip: linesShip(lines),
  });
  // The quote to order, when it is one of this vendor's for this customer (else not offered).
  const quoteToOrder =
    !order && quote && quote.vendor === profile.slug && quote.customerId === customer.id
      ? quote
      : undefined;
  const requestedType = quoteToOrder?.orderType ?? params.get('type');
  const initialType =
    order?.type ??
    (profile.orderTypes.some((t) => t.key === requestedType)
      ? requestedType!
      : profile.orderTypes[0]!.key);
  // The draft is the partner's own, of this vendor's order for this customer (or of this
  // correction): kept across a reload of the tab (wizard-draft.ts).
  const draftScope = useMemo<DraftScope>(
    () => ({ userId: me.id, vendor: profile.slug, customerId: customer.id, orderId: order?.id }),
    [me.id, profile.slug, customer.id, order?.id],
  );
  // The wizard as it starts without a draft: prefilled, or the order as it was held.
  const [fresh] = useState<WizardState>(() => {
    const type = orderTypeOf(profile, initialType)!;
    const fields = fieldsOf(profile, type, context([]));
    if (order) {
      const held = stateFromOrder(order, fields);
      // Agreed when it was placed: a vendor without terms has only the confirmation box, which
      // a correction need not ask again (a vendor's terms are carried by the order itself).
      return profile.termsAndConditions?.requiredFor.includes(type.key)
        ? held
        : { ...held, values: { ...held.values, termsAccepted: true } };
    }
    const lines = quoteToOrder ? linesOfQuote(quoteToOrder) : [];
    return {
      type: initialType,
      quoteId: quoteToOrder?.id ?? '',
      lines,
      values: prefill({
        fields: fieldsOf(profile, type, context(lines)),
        customer,
        contacts,
        partnership,
        me,
      }),
    };
  });
  const [draft] = useState(() => {
    const kept = loadDraft(draftScope, {
      orderTypes: profile.orderTypes.map((t) => t.key),
      orderVersion: order?.version,
    });
    // "Order this quote" starts on that quote: a draft of another order is not it.
    return quoteToOrder && kept?.state.quoteId !== quoteToOrder.id ? null : kept;
  });
  const [state, setState] = useState<WizardState>(() => draft?.state ?? fresh);
  // The order as it was held: a hold problem stands until the partner changes its field.
  const asHeld = fresh;
  const freshReached = order ? 3 : 0;
  const [active, setActive] = useState(draft?.step ?? 0);
  const [reached, setReached] = useState(Math.max(draft?.reached ?? 0, freshReached));
  // The terms box says it must be ticked only once the partner has tried to proceed without
  // it, or has unticked it: not before they have done anything.
  const [termsTouched, setTermsTouched] = useState(false);
  const termsBox = useRef<HTMLInputElement>(null);
  // Nothing selected is only a problem once the partner tries to go on without items.
  const [triedToGoOn, setTriedToGoOn] = useState(!!order || (draft?.reached ?? 0) > 0);
  // A field's problem is shown once the partner has left the field (touched) or pressed Continue
  // on its step (every step up to `triedUpTo`), not while a step is still being filled in. A
  // correction shows all at once: the order was sent as it is.
  const freshTriedUpTo = order ? 3 : -1;
  const [triedUpTo, setTriedUpTo] = useState(Math.max(freshTriedUpTo, (draft?.reached ?? 0) - 1));
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const touch = (path: string) => setTouched((t) => (t.has(path) ? t : new Set([...t, path])));
  // Leaving a field for Continue does not touch it: Continue shows the step's problems itself,
  // and an error shown on the way out would move the button from under the pointer.
  const leave = (path: string, event: FocusEvent<HTMLElement>) => {
    const to = event.relatedTarget;
    if (to instanceof Element && to.closest('[data-wizard-continue]')) return;
    touch(path);
  };
  const [submitProblems, setSubmitProblems] = useState<Problem[] | null>(null);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [placed, setPlaced] = useState<{ id: string; number: string } | null>(null);
  // Kept with the draft: a submission sent just before a reload is answered again, not doubled.
  const [submitKey, setSubmitKey] = useState(() => draft?.submitKey ?? idempotencyKey());
  // Said once the wizard is on screen, so that the status region announces it.
  const [notice, setNotice] = useState<'restored' | 'discarded' | null>(null);
  useEffect(() => {
    if (draft) setNotice('restored');
  }, [draft]);
  const [confirmingDiscard, setConfirmingDiscard] = useState(false);
  const stepHeading = useRef<HTMLHeadingElement>(null);
  // Set once the order is sent: no draft is kept after that (the order's refetch re-renders
  // before `placed` is set).
  const sent = useRef(false);

  // Nothing entered and no step taken: no draft to keep (or to offer to discard).
  const untouched = useMemo(
    () => active === 0 && reached === freshReached && sameDraftState(state, fresh),
    [active, reached, freshReached, state, fresh],
  );
  useEffect(() => {
    if (sent.current) return;
    if (untouched) discardDraft(draftScope);
    else
      saveDraft(draftScope, {
        state,
        step: active,
        reached,
        savedAt: new Date().toISOString(),
        orderVersion: order?.version,
        submitKey,
      });
  }, [draftScope, untouched, state, active, reached, order?.version, submitKey]);
  const discard = () => {
    discardDraft(draftScope);
    setState(fresh);
    setActive(0);
    setReached(freshReached);
    setTriedToGoOn(!!order);
    setTriedUpTo(freshTriedUpTo);
    setTouched(new Set());
    setTermsTouched(false);
    setSubmitProblems(null);
    setSubmitError(null);
    setConfirmingDiscard(false);
    setNotice('discarded');
  };
  // Once something is entered again, "Draft discarded" is old news.
  useEffect(() => {
    if (!untouched) setNotice((n) => (n === 'discarded' ? null : n));
  }, [untouched]);

  const type = orderTypeOf(profile, state.type) ?? profile.orderTypes[0]!;
  const fields = useMemo(
    () => fieldsOf(profile, type, context(state.lines)),
    [profile, type, state.lines, me],
  );
  const terms =
    profile.termsAndConditions && profile.termsAndConditions.requiredFor.includes(type.key)
      ? profile.termsAndConditions
      : null;
  const submission = useMemo(
    () =>
      buildSubmission(profile, state, fields, {
        customerId: customer.id,
        termsVersion: terms?.version ?? null,
        purchaseOrderRequired: type.purchaseOrderRequired,
      }),
    [profile, state, fields, customer.id, terms, type.purchaseOrderRequired],
  );
  const submissionJson = JSON.stringify(submission);
  const [debouncedJson] = useDebouncedValue(submissionJson, 350);
  const validateQuery = (json: string) => ({
    queryKey: ['validate', order?.id ?? null, json],
    queryFn: async (): Promise<OrderValidation> => {
      try {
        const result = unwrap(
          await api.POST('/api/v1/orders/validate', {
            body: JSON.parse(json) as typeof submission,
          }),
        );
        // A field the body's schema refuses (not yet a valid e-mail, no items) is a problem of
        // the order with the others, worded by the schema: said in the wizard's words.
        const problems = result.problems.map((p) => ({ ...p, message: plainMessage(p) }));
        // Correcting an order: the check counts the order itself as the holder of its own PO
        // number (the resubmission does not), so that duplicate is not the partner's to fix.
        const sent = (JSON.parse(json) as typeof submission).purchaseOrder?.number;
        const judged = order
          ? withoutOwnPoDuplicate(problems, order.purchaseOrder?.number, sent)
          : problems;
        return {
          ...result,
          valid: !judged.some((p) => p.severity === 'error'),
          problems: judged,
        };
      } catch (error) {
        // A body the server cannot read as an order at all is a 400 naming each field: shown
        // at those fields like any other problem.
        if (error instanceof ApiError && error.problem.status === 400 && error.problem.errors) {
          return {
            valid: false,
            problems: error.problem.errors.map(problemOfBadRequest),
            pricing: { currency: profile.currency, lines: [], total: '0', expectedTotal: null },
          };
        }
        throw error;
      }
    },
    staleTime: 30_000,
  });
  const validation = useQuery({
    ...validateQuery(debouncedJson),
    placeholderData: keepPreviousData,
  });
  // The answer for the form as it is now, when one is at hand (Continue asked for it): the
  // debounced answer may still be of an older state (before an item was added, say), whose
  // problems would flash up on the next step.
  const current = useQuery({ ...validateQuery(submissionJson), enabled: false });

  // Typing again replaces what the last submit said with live validation.
  useEffect(() => {
    setSubmitProblems(null);
    setSubmitError(null);
  }, [submissionJson]);

  const quotes = useQuery({
    queryKey: ['quotes', 'for-order', profile.slug, customer.id],
    enabled: type.quote !== 'not_applicable',
    // Every approved quote of the customer (the first 50 of any status left older ones out).
    queryFn: async () =>
      (
        await readAllPages(async (cursor) =>
          unwrap(
            await api.GET('/api/v1/quotes', {
              params: {
                query: {
                  customerId: customer.id,
                  status: 'approved',
                  limit: WHOLE_READ_PAGE_SIZE,
                  ...(cursor ? { cursor } : {}),
                },
              },
            }),
          ),
        )
      ).filter((q) => q.vendor === profile.slug),
  });

  const liveProblems = withoutMissingAtFilled(
    submitProblems ?? (current.data ?? validation.data)?.problems ?? [],
    state,
  );
  // Correcting an order on hold: what the desk found, at its field, until changed there.
  const heldProblems =
    order?.status === 'on_hold'
      ? openHoldProblems(
          order.problems.filter((p) => p.severity === 'error'),
          asHeld,
          state,
          liveProblems,
        )
      : [];
  const allProblems = [...heldProblems, ...liveProblems];
  // Problems of steps the partner has not reached yet are not news: show them once there.
  const problems = allProblems.filter((p) => stepOf(profile, p.path) <= reached);
  const stepFields = (step: number) => fields.filter((f) => stepOf(profile, f.path) === step);
  const errorsOfStep = (list: readonly Problem[], step: number) =>
    list.filter((p) => p.severity === 'error' && stepOf(profile, p.path) === step);

  const setValue = (path: string, value: string | boolean) =>
    setState((s) => ({ ...s, values: { ...s.values, [path]: value } }));
  const setLines = (lines: WizardLine[]) => setState((s) => ({ ...s, lines }));
  const addProduct = (p: PricedProduct) =>
    setState((s) => {
      const existing = s.lines.findIndex((l) => l.partNumber === p.partNumber);
      if (existing >= 0)
        return {
          ...s,
          lines: s.lines.map((l, i) => (i === existing ? { ...l, quantity: l.quantity + 1 } : l)),
        };
      const line: WizardLine = {
        partNumber: p.partNumber,
        name: p.name,
        description: p.description,
        billingTerm: p.billingTerm,
        ships: p.ships,
        productType: p.type,
        quantity: 1,
        unitPrice: p.netPrice ?? '',
        listPrice: p.listPrice,
        multiplier: p.multiplier,
        netPrice: p.netPrice,
        attributes: {},
      };
      return { ...s, lines: [...s.lines, line] };
    });
  const changeType = (key: string) =>
    setState((s) => {
      const next = orderTypeOf(profile, key);
      if (!next) return s;
      const nextFields = fieldsOf(profile, next, context(s.lines));
      const filled = prefill({ fields: nextFields, customer, contacts, partnership, me });
      return { ...s, type: key, quoteId: '', values: { ...filled, ...s.values } };
    });
  const chooseQuote = (id: string | null) => {
    const chosen = quotes.data?.find((q) => q.id === id);
    touch('quoteId');
    setState((s) => ({
      ...s,
      quoteId: id ?? '',
      lines: chosen ? linesOfQuote(chosen) : s.lines,
    }));
  };

  const goTo = (step: number) => {
    setActive(step);
    setReached((r) => Math.max(r, step));
  };
  const next = async () => {
    // Check the step against the current values (not a debounced answer) before moving on.
    setReached((r) => Math.max(r, active));
    setTriedToGoOn(true);
    setSubmitError(null);
    try {
      setTriedUpTo((t) => Math.max(t, active));
      const fresh = await queryClient.fetchQuery(validateQuery(submissionJson));
      const found = withoutMissingAtFilled(fresh.problems, state);
      if (errorsOfStep(found, active).length === 0) goTo(active + 1);
    } catch (error) {
      setSubmitError(error instanceof Error ? error.message : String(error));
    }
  };

  // "I Agree" is asked of every order: to the vendor's terms where its profile has them, else
  // to the order as summarised (the marketplace guide's last step, kept for every vendor).
  const termsMissing = state.values.termsAccepted !== true;
  const submit = async () => {
    if (termsMissing) {
      setTermsTouched(true);
      termsBox.current?.focus();
      return;
    }
    setSubmitting(true);
    setSubmitError(null);
    try {
      if (order) {
        const { vendor: _v, customerId: _c, partnerId: _p, emailBody: _e, ...patch } = submission;
        const patched = unwrap(
          await api.PATCH('/api/v1/orders/{id}', {
            params: { path: { id: order.id }, header: { 'If-Match': String(order.version) } },
            body: patch,
          }),
        );
        const resubmitted = unwrap(
          await api.POST('/api/v1/orders/{id}/actions/{action}', {
            params: {
              path: { id: order.id, action: 'resubmit' },
              header: { 'If-Match': String(patched.version) },
            },
            body: {},
          }),
        );
        sent.current = true;
        discardDraft(draftScope);
        await queryClient.invalidateQueries({ queryKey: ['order', order.id] });
        setPlaced({ id: resubmitted.id, number: resubmitted.number });
      } else {
        const created = unwrap(
          await api.POST('/api/v1/orders', {
            params: { header: { 'Idempotency-Key': submitKey } },
            body: submission,
          }),
        );
        sent.current = true;
        discardDraft(draftScope);
        setPlaced({ id: created.id, number: created.number });
      }
      await queryClient.invalidateQueries({ queryKey: ['orders'] });
    } catch (error) {
      setSubmitKey(idempotencyKey());
      if (error instanceof ApiError && error.problem.errors?.length) {
        const found: Problem[] = error.problem.errors.map(problemOfBadRequest);
        if (found.some((p) => p.path === 'termsAccepted')) setTermsTouched(true);
        setSubmitProblems(found);
        setReached(3);
        setTriedUpTo(3);
        const first = Math.min(...found.map((p) => stepOf(profile, p.path)));
        if (first < 3) setActive(first);
      } else {
        setSubmitError(error instanceof Error ? error.message : String(error));
      }
    } finally {
      setSubmitting(false);
    }
  };

  if (placed) {
    return (
      <Card withBorder padding="lg" maw={560}>
        <Stack>
          <Title order={2}>{order ? 'Order corrected and resubmitted' : 'Order placed'}</Title>
          <Text>
            Order number:{' '}
            <Text span fw={700} fz="xl" data-testid="order-number">
              {placed.number}
            </Text>
          </Text>
          <Text size="sm" c="dimmed">
            The vendor has it now; follow its status on the order page.
          </Text>
          <Group>
            <Button component={Link} to={`/orders/${placed.id}`}>
              View the order
            </Button>
            <Button component={Link} to="/portal/organizations" variant="default">
              Back to organizations
            </Button>
          </Group>
        </Stack>
      </Card>
    );
  }

  // Whether the errors at a field (or a part of the order) are shown yet: see `triedUpTo`.
  const errorsShownAt = (path: string) => touched.has(path) || stepOf(profile, path) <= triedUpTo;
  const fieldFor = (spec: FieldSpec) => {
    const at = problemsOfField(problems, fields, spec);
    return (
      <FieldInput
        key={spec.path}
        spec={spec}
        value={state.values[spec.path]}
        error={errorsShownAt(spec.path) ? messageOf(at) : undefined}
        warning={
          at
            .filter((p) => p.severity === 'warning')
            .map((p) => p.message)
            .join(' ') || undefined
        }
        onChange={(v) => {
          setValue(spec.path, v);
          if (typeof v === 'boolean') touch(spec.path);
        }}
        onBlur={(e) => leave(spec.path, e)}
      />
    );
  };
  const unshownProblems = (step: number) =>
    step <= triedUpTo ? orphanProblems(problems, fields, step, profile) : [];
  // What a problem is about, in the form's words (its field's label) rather than its path.
  const whereIs = (path: string): string => {
    const field = fieldOfProblem(fields, path);
    if (field) return field.label;
    if (path === 'lines') return 'Selected items';
    const line = /^lines\[(\d+)\]/.exec(path);
    if (line) {
      const item = state.lines[Number(line[1])];
      return `Item ${Number(line[1]) + 1}${item ? ` (${item.partNumber})` : ''}`;
    }
    if (path === 'type') return 'Order type';
    if (path === 'quoteId') return 'Quote';
    return path;
  };
  const ProblemsList = ({ list }: { list: Problem[] }) =>
    list.length === 0 ? null : (
      <Alert color="red" title="To fix" role="alert">
        <Stack gap={2}>
          {list.map((p, i) => (
            <Text size="sm" key={`${p.path}-${i}`}>
              {p.path ? `${whereIs(p.path)}: ` : ''}
              {p.message}
            </Text>
          ))}
        </Stack>
      </Alert>
    );
  const linesError =
    state.lines.length > 0 || triedToGoOn ? messageOf(problemsAt(problems, 'lines')) : undefined;

  const total = poTotal(state.lines);
  const specialTerms = type.specialTermsRequired ? partnership?.specialTerms : null;

  const stepBody = [
    <Stack key="items" gap="md">
      <Text size="sm" c="dimmed">
        Ordering from {profile.name} for {customer.name}.
      </Text>
      {/* One column on a phone: side by side, a long order type's name was cut off. */}
      <SimpleGrid cols={{ base: 1, sm: type.quote === 'not_applicable' ? 1 : 2 }}>
        <Select
          label="Order type"
          data={profile.orderTypes.map((t) => ({ value: t.key, label: t.label }))}
          value={state.type}
          onChange={(v) => {
            if (!v) return;
            touch('type');
            changeType(v);
          }}
          allowDeselect={false}
          description={type.description}
          error={errorsShownAt('type') ? messageOf(problemsAt(problems, 'type')) : undefined}
        />
        {type.quote !== 'not_applicable' && (
          <Select
            label="Quote"
            withAsterisk={type.quote === 'required'}
            placeholder={quotes.data?.length ? 'Choose an approved quote' : 'No approved quote yet'}
            data={(quotes.data ?? []).map((q) => ({
              value: q.id,
              label: `${q.number} rev. ${q.revision} · ${formatMoney(q.total, q.currency)}`,
            }))}
            value={state.quoteId || null}
            onChange={chooseQuote}
            // Cleared with its × only: choosing the chosen quote again keeps it.
            allowDeselect={false}
            clearable
            description={
              type.quote === 'required'
                ? 'This order type needs an approved quote; its lines become the order lines.'
                : undefined
            }
            error={
              errorsShownAt('quoteId') ? messageOf(problemsAt(problems, 'quoteId')) : undefined
            }
          />
        )}
      </SimpleGrid>
      <CatalogPanel
        vendor={profile.slug}
        currency={profile.currency}
        onAdd={addProduct}
        added={new Set(state.lines.map((l) => l.partNumber))}
      />
      <Title order={3} size="h4">
        Selected items
      </Title>
      {linesError && (
        <Text c="red" size="sm" role="alert" data-path="lines">
          {linesError}
        </Text>
      )}
      {state.lines.length === 0 ? (
        !linesError && (
          <Text c="dimmed" size="sm">
            Nothing selected yet: add products from the catalog.
          </Text>
        )
      ) : (
        <LinesEditor
          profile={profile}
          type={type}
          lines={state.lines}
          problems={problems}
          partnership={partnership}
          onChange={setLines}
          errorsShownAt={errorsShownAt}
          onTouch={leave}
        />
      )}
      <Text fw={600}>Total: {formatMoney(total, profile.currency)}</Text>
      {stepFields(0).map(fieldFor)}
      <ProblemsList list={unshownProblems(0)} />
    </Stack>,
    <Stack key="contacts" gap="md" maw={640}>
      {stepFields(1).length === 0 ? (
        <Text c="dimmed">No contact details are needed for this order type.</Text>
      ) : (
        stepFields(1).map(fieldFor)
      )}
      <ProblemsList list={unshownProblems(1)} />
    </Stack>,
    <Stack key="provisioning" gap="md" maw={720}>
      {specialTerms && (
        <Card withBorder padding="sm">
          <Text fw={600} size="sm">
            Special terms your PO must carry
          </Text>
          <Blockquote p="sm" my="xs" data-testid="special-terms">
            {specialTerms}
          </Blockquote>
          <Group gap="xs">
            <CopyButton value={specialTerms}>
              {({ copied, copy }) => (
                <Button size="xs" variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy the clause'}
                </Button>
              )}
            </CopyButton>
            <Button
              size="xs"
              variant="light"
              onClick={() => {
                const where = profile.specialTerms?.locations.find((l) => l !== 'email_body');
                setValue(where ?? 'purchaseOrder.specialTerms', specialTerms);
                touch(where ?? 'purchaseOrder.specialTerms');
              }}
            >
              Put it on the PO
            </Button>
          </Group>
        </Card>
      )}
      {stepFields(2).length === 0 ? (
        <Text c="dimmed">No provisioning information is needed for this order type.</Text>
      ) : (
        stepFields(2).map(fieldFor)
      )}
      <ProblemsList list={unshownProblems(2)} />
    </Stack>,
    <Stack key="summary" gap="md">
      <Group justify="space-between">
        <Title order={3} size="h4">
          Items
        </Title>
        <ActionIcon variant="default" aria-label="Edit items" onClick={() => setActive(0)}>
          <PencilIcon />
        </ActionIcon>
      </Group>
      <Table.ScrollContainer minWidth={480}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Item</Table.Th>
              <Table.Th>Quantity</Table.Th>
              <Table.Th>Unit price</Table.Th>
              <Table.Th>Amount</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {state.lines.map((l) => (
              <Table.Tr key={l.partNumber}>
                <Table.Td>
                  {l.name}
                  <Text size="xs" c="dimmed">
                    {l.partNumber}
                  </Text>
                </Table.Td>
                <Table.Td>{l.quantity}</Table.Td>
                <Table.Td>{formatMoney(l.unitPrice, profile.currency)}</Table.Td>
                <Table.Td>
                  {formatMoney(lineAmount(l.unitPrice || '0', l.quantity), profile.currency)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr>
              <Table.Th colSpan={3}>Total</Table.Th>
              <Table.Th>{formatMoney(total, profile.currency)}</Table.Th>
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      </Table.ScrollContainer>
      {[1, 2].map((step) => (
        <Card key={step} withBorder padding="sm">
          <Group justify="space-between">
            <Title order={3} size="h5">
              {STEP_LABELS[step]}
            </Title>
            <ActionIcon
              variant="default"
              aria-label={`Edit ${STEP_LABELS[step]}`}
              onClick={() => setActive(step)}
            >
              <PencilIcon />
            </ActionIcon>
          </Group>
          <Stack gap={2} mt={4}>
            {stepFields(step).map((f) => (
              <Text size="sm" key={f.path}>
                <Text span c="dimmed" size="sm">
                  {f.label}:
                </Text>{' '}
                {fieldValueText(f, state.values[f.path])}
              </Text>
            ))}
          </Stack>
        </Card>
      ))}
      <Card withBorder padding="sm">
        <Title order={3} size="h5">
          Invoice information
        </Title>
        <Text size="sm">
          {partnership?.invoicingContact
            ? `Invoices go to ${partnership.invoicingContact.name} (${partnership.invoicingContact.email}).`
            : 'Invoices go to your invoicing contact.'}
        </Text>
        {profile.invoiceRequests && (
          <Text size="sm">Invoice requests: {profile.invoiceRequests.email}</Text>
        )}
      </Card>
      <ProblemsList
        list={allProblems.filter(
          (p) =>
            p.severity === 'error' &&
            (stepOf(profile, p.path) < 3 ? true : p.path !== 'termsAccepted'),
        )}
      />
      <Card withBorder padding="sm">
        <Title order={3} size="h5">
          {terms ? 'Terms and Conditions' : 'Confirmation'}
        </Title>
        <Text size="sm" mb="xs">
          {terms ? (
            <>
              {profile.name} reseller terms, version {terms.version}
              {terms.url && (
                <>
                  {' '}
                  (
                  <Anchor href={terms.url} target="_blank" rel="noreferrer" underline="always">
                    read them
                  </Anchor>
                  )
                </>
              )}
            </>
          ) : (
            `The order above is correct, and you may place it with ${profile.name} for ${customer.name}`
          )}
          .
        </Text>
        <Checkbox
          ref={termsBox}
          label="I Agree"
          checked={state.values.termsAccepted === true}
          onChange={(e) => {
            const checked = e.currentTarget.checked;
            if (!checked) setTermsTouched(true);
            setValue('termsAccepted', checked);
          }}
          error={
            termsMissing
              ? termsTouched
                ? terms
                  ? `Tick “I Agree” to accept the ${profile.name} terms and conditions before you proceed.`
                  : 'Tick “I Agree” to confirm the order before you proceed.'
                : undefined
              : submitProblems && messageOf(problemsAt(submitProblems, 'termsAccepted'))
          }
        />
      </Card>
    </Stack>,
  ];

  return (
    <Stack>
      <div role="status">
        {notice && (
          <Alert
            role="note"
            color="blue"
            title={notice === 'restored' ? 'Draft restored' : 'Draft discarded'}
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => setNotice(null)}
          >
            {notice === 'restored' ? (
              <>
                {order ? 'Your corrections as you left them' : 'Your order as you left it'} (saved{' '}
                {formatDateTime(draft?.savedAt)}). Tick “I Agree” again when you proceed; “Discard
                draft” clears it.
              </>
            ) : order ? (
              'The order is shown as it was held.'
            ) : (
              'The wizard starts again.'
            )}
          </Alert>
        )}
      </div>
      {order?.status === 'on_hold' && (
        <Alert color="orange" title="On hold" role="status" data-testid="hold-reason">
          <Stack gap={4}>
            {order.holdReason && <Text size="sm">{order.holdReason}</Text>}
            {/* A problem of the order as a whole (no field): said here, in the vendor's words. */}
            {heldProblems
              .filter((p) => !p.path)
              .map((p, i) => (
                <Text size="sm" key={i}>
                  {p.message}
                </Text>
              ))}
            {heldProblems.some((p) => p.path) ? (
              <Text size="sm">
                Marked by the vendor:{' '}
                {heldProblems
                  .filter((p) => p.path)
                  .map((p) => `${whereIs(p.path)} (${STEP_LABELS[stepOf(profile, p.path)]})`)
                  .join(', ')}
                .
              </Text>
            ) : (
              order.problems.some((p) => p.severity === 'error' && p.path) && (
                <Text size="sm">You have changed every field the vendor marked.</Text>
              )
            )}
          </Stack>
        </Alert>
      )}
      <Stepper
        active={active}
        onStepClick={(step) => step <= reached && setActive(step)}
        orientation={vertical ? 'vertical' : 'horizontal'}
        size="sm"
      >
        {STEP_LABELS.map((label, i) => (
          <Stepper.Step
            key={label}
            label={label}
            allowStepSelect={i <= reached}
            color={errorsOfStep(problems, i).length > 0 && i < active ? 'red' : undefined}
          />
        ))}
      </Stepper>
      <Title order={3} size="h3" ref={stepHeading} tabIndex={-1}>
        {STEP_LABELS[active]}
      </Title>
      {stepBody[active]}
      {submitError && (
        <Alert color="red" role="alert">
          {submitError}
        </Alert>
      )}
      <Group justify="space-between">
        <Group gap="sm">
          <Button variant="default" disabled={active === 0} onClick={() => setActive(active - 1)}>
            Back
          </Button>
          {!untouched && (
            <Button variant="default" onClick={() => setConfirmingDiscard(true)}>
              Discard draft
            </Button>
          )}
        </Group>
        {active < 3 ? (
          <Button onClick={() => void next()} data-wizard-continue>
            Continue
          </Button>
        ) : (
          <Button onClick={() => void submit()} loading={submitting}>
            {order ? 'Save and resubmit' : 'Proceed for Approval'}
          </Button>
        )}
      </Group>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={confirmingDiscard}
        onClose={() => setConfirmingDiscard(false)}
        // The button that opened it is gone once the draft is: the step's heading takes the focus.
        onExitTransitionEnd={() => {
          if (untouched) stepHeading.current?.focus();
        }}
        title="Discard this draft?"
      >
        <Stack>
          <Text size="sm">
            {order
              ? 'Your corrections are cleared and the order is shown as it was held.'
              : 'Everything entered for this order is cleared and the wizard starts again at Select Items.'}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmingDiscard(false)}>
              Keep editing
            </Button>
            <Button color="red.9" onClick={discard}>
              Discard draft
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

export default function WizardPage() {
  const { customerId, orderId } = useParams();
  const [params] = useSearchParams();
  const me = useMe();
  const order = useOrder(orderId);
  const vendor = order.data?.vendor ?? params.get('vendor') ?? undefined;
  const custId = order.data?.customerId ?? customerId;
  const profile = useProfile(vendor);
  const partnerships = usePartnerships(vendor);
  const customer = useCustomer(custId);
  const contacts = useContacts(custId);
  // "Order this quote" names the quote: the wizard starts with it chosen.
  const quoteId = orderId ? null : params.get('quote');
  const quote = useQuery({
    queryKey: ['quote', quoteId],
    enabled: !!quoteId,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/quotes/{id}', { params: { path: { id: quoteId! } } })),
  });
  const queries = [profile, partnerships, customer, contacts, ...(orderId ? [order] : [])];
  const failed = queries.find((q) => q.isError);
  const title = orderId
    ? `Correct order ${order.data?.number ?? ''}`
    : `Place an order${customer.data ? ` for ${customer.data.name}` : ''}`;
  return (
    <Stack>
      <PageHeader title={title} />
      {failed ? (
        <ErrorPanel error={failed.error} />
      ) : !vendor && !orderId ? (
        <ErrorPanel error={new Error('Choose a vendor from the organization list.')} />
      ) : profile.data &&
        partnerships.data &&
        customer.data &&
        contacts.data &&
        (!orderId || order.data) &&
        // A quote that cannot be read is not chosen: the wizard starts without it.
        (!quoteId || quote.data || quote.isError) ? (
        <Wizard
          profile={profile.data}
          partnership={partnerships.data.find((p) => p.vendor === vendor)}
          customer={customer.data}
          contacts={contacts.data}
          me={me}
          order={order.data}
          quote={quote.data}
        />
      ) : (
        <Center p="xl">
          <Loader role="status" aria-label="Loading" />
        </Center>
      )}
    </Stack>
  );
}
