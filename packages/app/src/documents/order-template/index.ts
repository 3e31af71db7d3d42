// The Excel order template (issue 10, point 5): written per vendor and order type, read back
// from whatever spreadsheet program the partner used.
export { orderFieldsOf, lineFieldsOf, type TemplateField } from './template-fields.ts';
export {
  ORDER_WORKBOOK_LIMITS,
  guardOrderWorkbook,
  type OrderWorkbookLimits,
} from './xlsx-guard.ts';
export {
  parseOrderWorkbook,
  readOrderWorkbook,
  extractionOf,
  type ParsedOrderWorkbook,
} from './read-order-workbook.ts';
export { writeOrderTemplate, type OrderTemplateInput } from './write-order-template.ts';
export {
  MAX_TEMPLATE_PRODUCTS,
  XLSX_MEDIA_TYPE,
  downloadOrderTemplate,
  orderTemplateParams,
  orderTemplateQuerySchema,
  orderTypeOf,
  type OrderTemplateFile,
  type OrderTemplateQuery,
} from './order-template.service.ts';
