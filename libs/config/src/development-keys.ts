/**
 * The development card key pair (RSA-2048, DER, base64): the gateway seals card
 * numbers with the public half, only the payment service opens them with the
 * private half (ADR 0017). Both are public here, so NODE_ENV=production refuses
 * either; a cluster generates its own pair.
 */
export const developmentCardPublicKey = [
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3CXQnL4uZco7v9fC4Rze0+ec9OLz+8VmMdWOde+Z6Ypz408Qcdqr0VD8',
  'RRdRMIreCQiN2bqPjGhRaFF4KH/X8RD5bIpKKqV724HgKiBFFtkGtmXb+Xk+wk6kSML6VYAU7K9gNZnirXaNV6cQ86uhVZkgL5v4',
  'rSWUgjne4VFOyUbjEq1P6RLZaAQu2DjJh/V9fIuHSeRr6yjDupCRJ2PYAoGEOI/JWrkXTn5t12e8PTw8ccUWuZzRsjNV6NV6HjmA',
  'H5Gz3lRgjVGVIJdn39A67C7rxduf8t+SzU7bcYYS/+ii7cExsjUz2bUEWRXHWKzqljSkuav8DJLE9Yfq41nKqQIDAQAB',
].join('');

export const developmentCardPrivateKey = [
  'MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDcJdCcvi5lyju/18LhHN7T55z04vP7xWYx1Y5175npinPjTxBx',
  '2qvRUPxFF1Ewit4JCI3Zuo+MaFFoUXgof9fxEPlsikoqpXvbgeAqIEUW2Qa2Zdv5eT7CTqRIwvpVgBTsr2A1meKtdo1XpxDzq6FV',
  'mSAvm/itJZSCOd7hUU7JRuMSrU/pEtloBC7YOMmH9X18i4dJ5GvrKMO6kJEnY9gCgYQ4j8lauRdOfm3XZ7w9PDxxxRa5nNGyM1Xo',
  '1XoeOYAfkbPeVGCNUZUgl2ff0DrsLuvF25/y35LNTttxhhL/6KLtwTGyNTPZtQRZFcdYrOqWNKS5q/wMksT1h+rjWcqpAgMBAAEC',
  'ggEAUoVCO172mWVDHFhOTn+57wikxw7Dkh6efhOlAQQ9V1N0uUIL0gG74gxPY76nymBjdlNkiLbr1B/OVCIlvlido1lPhaYYwv+g',
  '+9klI+VQwI29fGWWHV+bbM55umSL3bzTGx1qHO2AELGdrbuMGSq+oQ1zCSWYA59QmbgDmcYWmE9t7LWOoudn1BSugfx9sHzaW8pZ',
  'V/g1FVaHLwguBRFo/IonU/ulhFkaEPfERd1lPuuDVT7fXXBoL0nQu/sQu4sHWYdnFqNsq6Ft1Njl2e1xUwYDRX9TZ/wmwrfbOvCY',
  'XM7XgmyZh85D3hfZ+fVWLlh71qpj/3/5m6KZpE29+WF32QKBgQD4FA8eK4xLxiXW9gwZaio0aGpNNDE218A13j5sE/tMOkmGfwYY',
  'AVv82LWufeMfd859piaebCWUDlLMTmfReemFgZkW4YDhJ1z/orR4wJdzRwPgHP+O7DCOYBG+WE5NBQwaFTN/9LIKMfHM/H9HbQVb',
  'C0CJPNtZZ5tnn5vMNjteOwKBgQDjLW8elPeMyHusCSjAkjtNKCwYMVHyzbeqCxi29JwxBDszvsz5sOnoBa2D3vi7PRgv4Aq3SIdV',
  'pzDh6YEYw7PipKdNicYlLxPvhoc5Cg3KfuN+FhXZ+B6uEeyfhK4Zf9HW4qPJfufaWTZzLf4lAwg5HuLn7RG7zfW/GFyu/n24awKB',
  'gQDPnQH17t4QADlkyC/iCR5fE8964yYYzsD2lBNLogFajyE/ZQj1iBWy6q5J5OLyT/LI5wdE6B8e5EnY3/k0r0GG0KoNIxYX2DiV',
  'XFaLBCr7d8A/jCU4OGR+ktnmocKN5J53Ka0a9e8WZywEsH/Yh93GjwkokXzFOtctBr99TRmsRwKBgQCvlkhSnNURLUvZVmL3JI9N',
  'PYWHVWd/gV05wsXhcwLeJ+USQ6DuRL0lpm3MhSQ+pCPzrPjbXOWtYEI5+l7bozeAL79YAOrzhoWkFpihj5HFN3nh1HQjOtGLvTLk',
  'wIpIDzFDI31wmfPeIiIhuCS8urE6ZRMAK44PWEte3heU8gJ97QKBgB8WA0yqUtsxVyOdKsIk8SzgeZqh+rnq20TBTgUdBIabMwmQ',
  'F261MIN0LrBsoFUaN7+R2TJvJsWVrWqiNg3NvlXr77dKRALiIB2rZszkBsAW4xnJmkYQRTsY7aeODcg0eOzbc8NHGJvcqFQmV3pp',
  'Lbj43OxldWTnYiMdQ7Tqqj2O',
].join('');
