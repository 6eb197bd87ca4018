/**
 * The shortest password of each role, when the account is made and at every change: staff and
 * doctors hold keys to many patients' data, so theirs are longer.
 */
export const PATIENT_PASSWORD_MIN_LENGTH = 8;
export const DOCTOR_PASSWORD_MIN_LENGTH = 12;
export const ADMIN_PASSWORD_MIN_LENGTH = 12;
