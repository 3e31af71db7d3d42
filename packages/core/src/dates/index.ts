export { addDays, addMonths, addYears, daysInMonth, isIsoDate, laterDate } from './iso-date.ts';
